using System.Globalization;
using System.Net;
using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Tests.Leaderboard;
using BiasBounty.Web.Worker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>
/// New system versions of an evaluation-table competition (a copy of the speech demo): the organizer publishes the
/// evaluation of a retrained recogniser, the verified findings are re-tested on it, and the leaderboard shows the word
/// error rate and each disclosed group's gap by version.
/// </summary>
public sealed class SystemVersionTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private const string LoudNoise = "noise == \"loud-5dB\"";

    private async Task<(Competition Competition, string OrganizerId, string OrganizerEmail)> SpeechCompetitionAsync(string name)
    {
        var (organizerId, email) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var competition = await CompetitionBuilder.New(name).OrganizedBy(organizerId).SaveWithSpeechDemoDataAsync(scope);
        return (competition, organizerId, email);
    }

    private async Task<T> PublishingAsync<T>(Func<SystemVersionPublishing, Task<T>> act)
    {
        await using var scope = platform.Scope();
        return await act(scope.ServiceProvider.GetRequiredService<SystemVersionPublishing>());
    }

    /// <summary>A verified word-error-rate finding on loud noise, approved and disclosed (so the leaderboard may show its group).</summary>
    private async Task<(Guid SubmissionId, FindingResult Finding)> DisclosedFindingAsync(Competition competition, string teamName)
    {
        Guid id;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var (user, team) = await Arrange.TeamAsync(db, competition.Id, teamName);
            var submission = await Arrange.SubmissionAsync(db, competition, user, team, LoudNoise);
            submission.Metric = Metric.Wer;
            await db.SaveChangesAsync();
            id = submission.Id;
        }
        await platform.RunScoringJobAsync(id);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var score = await db.Scores.SingleAsync(s => s.SubmissionId == id);
            Assert.True(score.FindingVerified, string.Join("; ", score.Record.Finding!.Reasons));
            var submission = await db.Submissions.SingleAsync(s => s.Id == id);
            submission.Triage = TriageState.Approved;
            submission.DiscloseAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
            await PublicRevision.BumpAsync(db, competition.Id);
            return (id, score.Record.Finding!);
        }
    }

    private async Task<List<FindingRetest>> RetestsAsync(Guid competitionId, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var scope = platform.Scope();
            var rows = await platform.NewDb(scope).FindingRetests.AsNoTracking().Where(r => r.CompetitionId == competitionId).ToListAsync();
            if (rows.Count >= expected || DateTime.UtcNow > deadline) return rows;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Publish_ARetrainedVersion_RetestsTheVerifiedFinding_AndTheLeaderboardShowsTheRateAndTheGapByVersion()
    {
        var (competition, organizerId, _) = await SpeechCompetitionAsync("Versions");
        var (submissionId, original) = await DisclosedFindingAsync(competition, "Noise Hunters");
        var (csv, _) = await SystemVersionArrange.EvaluationAsync(platform, competition, SystemVersionArrange.HalveLoudNoise);

        var preview = await PublishingAsync(p => p.PreviewAsync(competition.Id, "retrained.csv", csv));
        Assert.True(preview.Succeeded, preview.Message);
        Assert.Equal(1, preview.Preview!.Number);
        Assert.Equal(1152, preview.Preview.Items);
        Assert.True(preview.Preview.FeedbackAfter < preview.Preview.FeedbackBefore - 0.02, $"{preview.Preview}");
        await using (var scope = platform.Scope())
            Assert.Empty(await platform.NewDb(scope).SystemVersions.Where(v => v.CompetitionId == competition.Id).ToListAsync()); // a preview stores nothing

        var published = await PublishingAsync(p => p.PublishAsync(competition.Id, "retrained.csv", csv, "retrained on noisy data", organizerId));
        Assert.True(published.Succeeded, published.Message);

        // The Hangfire server runs the re-test job; then a retried run adds nothing.
        var retest = Assert.Single(await RetestsAsync(competition.Id, 1, TimeSpan.FromSeconds(60)));
        Assert.Equal(submissionId, retest.SubmissionId);
        Assert.Equal(1, retest.VersionNumber);
        Assert.True(retest.Gap < original.Difference - 0.1, $"gap {retest.Gap} against {original.Difference}");
        Assert.False(retest.StillSignificant);
        Assert.StartsWith("cluster-robust t (", retest.Result.Test);
        Assert.Equal(original.Level, retest.Result.Level);
        await using (var scope = platform.Scope())
            await scope.ServiceProvider.GetRequiredService<RetestFindingsJob>().RunAsync(retest.SystemVersionId, CancellationToken.None);
        Assert.Single(await RetestsAsync(competition.Id, 2, TimeSpan.Zero));

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var version = await db.SystemVersions.Include(v => v.File).SingleAsync(v => v.CompetitionId == competition.Id);
            Assert.Equal((1, "retrained on noisy data", organizerId), (version.Number, version.Name, version.PublishedById));
            Assert.Equal(StoredFileKind.SystemVersion, version.File!.Kind);
            Assert.Equal(csv, version.File.Content);
            Assert.Contains(await db.AuditEvents.Where(a => a.CompetitionId == competition.Id).Select(a => a.Kind).ToListAsync(),
                k => k == Audit.AuditEvent.SystemVersionPublished);
        }

        var page = Html.Parse(await platform.CreateClient().GetStringAsync($"/competitions/{competition.Slug}/leaderboard"));
        Assert.Contains("How the system improved", page.Body!.TextContent);
        Assert.Equal("Word error rate by system version", page.QuerySelector("#improvement-title")!.TextContent);
        var rows = page.QuerySelectorAll("table[data-testid='improvement-table'] tbody tr");
        Assert.Equal(2, rows.Length);
        Assert.Equal("retrained on noisy data", rows[1].Cell("td.note"));
        Assert.Equal(Math.Round(100 * preview.Preview.FeedbackAfter, 1).ToString("0.0", CultureInfo.InvariantCulture) + " %", rows[1].Cell("td.error"));
        var group = Assert.Single(page.QuerySelectorAll("article[data-testid='group-gap']"));
        Assert.Equal(LoudNoise, group.QuerySelector("code.expression")!.TextContent);
        var summary = group.QuerySelector("[data-testid='gap-summary']")!.TextContent;
        Assert.Matches(@"^gap \d+\.\d points at v0 → −?\d+\.\d at v1, no longer significant$", summary);
        Assert.Equal("no", group.QuerySelector("tr[data-version='1'] td.significant")!.TextContent);
    }

    [Fact]
    public async Task AFindingVerifiedAfterAVersionWasPublished_IsRetestedOnItToo()
    {
        var (competition, organizerId, _) = await SpeechCompetitionAsync("Later finding");
        var (csv, _) = await SystemVersionArrange.EvaluationAsync(platform, competition, SystemVersionArrange.HalveLoudNoise);
        Assert.True((await PublishingAsync(p => p.PublishAsync(competition.Id, "v1.csv", csv, "retrained", organizerId))).Succeeded);

        var (submissionId, _) = await DisclosedFindingAsync(competition, "Late Hunters");

        var retest = Assert.Single(await RetestsAsync(competition.Id, 1, TimeSpan.FromSeconds(60)));
        Assert.Equal((submissionId, 1), (retest.SubmissionId, retest.VersionNumber));
    }

    [Fact]
    public async Task RetestAgain_FillsInAMissingRetest_AndAnUnknownVersionIsFalse()
    {
        var (competition, organizerId, _) = await SpeechCompetitionAsync("Again");
        await DisclosedFindingAsync(competition, "Again Hunters");
        var (csv, _) = await SystemVersionArrange.EvaluationAsync(platform, competition, SystemVersionArrange.HalveLoudNoise);
        Assert.True((await PublishingAsync(p => p.PublishAsync(competition.Id, "v1.csv", csv, "retrained", organizerId))).Succeeded);
        Assert.Single(await RetestsAsync(competition.Id, 1, TimeSpan.FromSeconds(60)));
        await using (var scope = platform.Scope())
            await platform.NewDb(scope).FindingRetests.Where(r => r.CompetitionId == competition.Id).ExecuteDeleteAsync();

        Assert.True(await PublishingAsync(p => p.RetestAgainAsync(competition.Id, 1)));

        Assert.Single(await RetestsAsync(competition.Id, 1, TimeSpan.FromSeconds(60)));
        Assert.False(await PublishingAsync(p => p.RetestAgainAsync(competition.Id, 2)));
    }

    [Fact]
    public async Task Publish_AVersionWithMissingIds_IsRefused_WithTheirCountOnly_AndNothingIsStored()
    {
        var (competition, organizerId, _) = await SpeechCompetitionAsync("Missing ids");
        var (csv, dropped) = await SystemVersionArrange.EvaluationAsync(platform, competition, (_, e) => e, dropFromHoldout: 12);

        var outcome = await PublishingAsync(p => p.PublishAsync(competition.Id, "v1.csv", csv, "retrained", organizerId));

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("The upload does not match the competition's items: 12 item ids ('utterance_id') of the evaluation are missing from v1.csv", outcome.Message);
        Assert.DoesNotContain(dropped, outcome.Message.Contains);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        Assert.False(await db.SystemVersions.AnyAsync(v => v.CompetitionId == competition.Id));
        Assert.False(await db.StoredFiles.AnyAsync(f => f.CompetitionId == competition.Id && f.Kind == StoredFileKind.SystemVersion));
    }

    [Fact]
    public async Task Publish_TheSameFileTwice_OrWithoutAName_IsRefused()
    {
        var (competition, organizerId, _) = await SpeechCompetitionAsync("Twice");
        var (csv, _) = await SystemVersionArrange.EvaluationAsync(platform, competition, SystemVersionArrange.HalveLoudNoise);

        Assert.StartsWith("Name the version", (await PublishingAsync(p => p.PublishAsync(competition.Id, "v1.csv", csv, "  ", organizerId))).Message);
        Assert.True((await PublishingAsync(p => p.PublishAsync(competition.Id, "v1.csv", csv, "retrained", organizerId))).Succeeded);
        var again = await PublishingAsync(p => p.PublishAsync(competition.Id, "v1-again.csv", csv, "retrained again", organizerId));

        Assert.Equal((false, "This exact file is already version 1."), (again.Succeeded, again.Message));
    }

    [Fact]
    public async Task Publish_OnAModelCompetition_IsRefused()
    {
        await using var scope = platform.Scope();
        var demo = await Arrange.DemoCompetitionAsync(platform.NewDb(scope));

        var outcome = await scope.ServiceProvider.GetRequiredService<SystemVersionPublishing>().PublishAsync(demo.Id, "v1.csv", [1, 2, 3], "retrained", "someone");

        Assert.Equal((false, SystemVersionPublishing.NotAnEvaluationTableMessage), (outcome.Succeeded, outcome.Message));
    }

    [Fact]
    public async Task VersionsPage_IsTheOrganizers_404ToAnotherOrganizer_AndRefusedToParticipants()
    {
        var (competition, _, email) = await SpeechCompetitionAsync("Versions page");
        var path = $"/organize/{competition.Slug}/versions";

        var organizer = platform.CreateClient(new() { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(organizer, email);
        var html = await organizer.GetStringAsync(path);
        Assert.Contains("Publish a new version", html);
        Assert.Contains("1,152 items", html);
        Assert.Contains("<code>utterance_id</code>", html);

        var other = await SignedInClient.CreateAsync(platform, Roles.Organizer);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(path)).StatusCode);

        var participant = await SignedInClient.CreateAsync(platform, Roles.Participant);
        var refused = await participant.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/AccessDenied", refused.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task VersionsPage_OfAModelCompetition_SaysItTakesNoVersions()
    {
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);

        var html = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/versions");

        Assert.Contains("a model competition improves through accepted fixes", html);
        Assert.DoesNotContain("Publish a new version", html);
    }

    [Fact]
    public async Task SpeechDemo_NamesItsUtteranceIdAsTheItemId()
    {
        await using var scope = platform.Scope();
        var speech = await platform.NewDb(scope).Competitions.AsNoTracking().SingleAsync(c => c.Slug == SpeechDemo.Slug);

        Assert.Equal("utterance_id", speech.Schema().ItemIdColumn);
    }
}
