using System.Net;
using System.Text.RegularExpressions;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Participants;

/// <summary>"My submissions": the organizers' triage state and note, points with adjustments or forfeited, and the team's quota.</summary>
public sealed class MySubmissionsPageTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Page_ShowsTriageNoteAdjustedAndForfeitedPoints_AndTheTeamsQuota()
    {
        var member = await ParticipantArrange.MemberAsync(platform, "Reviewed Team");
        var outsider = await ParticipantArrange.MemberAsync(platform, "Unrelated Team");
        var approvedId = await ParticipantArrange.ScoredSubmissionAsync(platform, member, Arrange.MarriedGroup);
        var duplicateId = await ParticipantArrange.ScoredSubmissionAsync(platform, member, Arrange.MarriedGroup);
        Guid queuedId, othersId;
        string closedSlug;
        double enginePoints;
        int limit;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            limit = competition.Settings.SubmissionsPerDay;
            queuedId = (await Arrange.SubmissionAsync(db, competition, member.User, member.Team, "age >= 60")).Id;
            othersId = (await Arrange.SubmissionAsync(db, competition, outsider.User, outsider.Team, "age >= 70")).Id;
            var closed = await CompetitionBuilder.New("Closed").Closed().SaveAsync(db);
            closedSlug = closed.Slug;
            await Arrange.TeamOfAsync(db, closed.Id, member.User, "Finished Team");
            enginePoints = (await db.Scores.SingleAsync(s => s.SubmissionId == approvedId)).Released.Points;
            Assert.True(enginePoints > 0);
            var approved = await db.Submissions.SingleAsync(s => s.Id == approvedId);
            approved.Triage = TriageState.Approved;
            approved.TriageNote = "Clear and reproducible";
            var duplicate = await db.Submissions.SingleAsync(s => s.Id == duplicateId);
            duplicate.Triage = TriageState.Duplicate;
            duplicate.TriageNote = "Same group as your earlier finding";
            duplicate.DuplicateOfId = approvedId;
            db.AwardAdjustments.Add(new AwardAdjustment
            {
                CompetitionId = competition.Id, SubmissionId = approvedId, TeamId = member.Team.Id, Delta = 2.5, Reason = "Great write-up",
                ActorId = outsider.User.Id,
            });
            db.AwardAdjustments.Add(new AwardAdjustment
            {
                CompetitionId = competition.Id, SubmissionId = duplicateId, TeamId = member.Team.Id, Delta = 4, Reason = "Ignored: forfeited",
                ActorId = outsider.User.Id,
            });
            await db.SaveChangesAsync();
        }
        var expected = Math.Round(enginePoints + 2.5, 1, MidpointRounding.AwayFromZero);

        var response = await member.Client.GetAsync("/submissions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = ParticipantArrange.Html(await response.Content.ReadAsStringAsync());
        var rows = page.QuerySelectorAll("table[data-testid=my-submissions] tbody tr[data-submission-id]")
            .ToDictionary(r => Guid.Parse(r.GetAttribute("data-submission-id")!));
        Assert.Equal([queuedId, duplicateId, approvedId], rows.Keys); // newest first; nothing of the other team

        var approvedRow = rows[approvedId];
        Assert.Equal("Scored", approvedRow.QuerySelector("td.state")!.TextContent);
        Assert.Equal("Approved", approvedRow.QuerySelector("td.triage")!.TextContent);
        Assert.Equal("Clear and reproducible", approvedRow.QuerySelector("td.note")!.TextContent);
        Assert.StartsWith(expected.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), approvedRow.QuerySelector("td.points")!.TextContent.Trim());
        Assert.Contains("+ 2.5 awarded by the organizers", approvedRow.QuerySelector("td.points .points-reason")!.TextContent);

        var duplicateRow = rows[duplicateId];
        Assert.Equal("Duplicate", duplicateRow.QuerySelector("td.triage")!.TextContent);
        Assert.Equal("Same group as your earlier finding", duplicateRow.QuerySelector("td.note")!.TextContent);
        Assert.StartsWith("0.0", duplicateRow.QuerySelector("td.points")!.TextContent.Trim());
        Assert.Equal("no points: triaged Duplicate", duplicateRow.QuerySelector("td.points .points-reason")!.TextContent);

        Assert.Equal("Queued", rows[queuedId].QuerySelector("td.state")!.TextContent);
        Assert.Equal("", rows[queuedId].QuerySelector("td.points")!.TextContent.Trim());

        var quotas = page.QuerySelectorAll("[data-testid=team-quota]").ToDictionary(q => q.GetAttribute("data-competition")!);
        Assert.Equal(2, quotas.Count);
        Assert.Contains("Finished Team: not open for submissions", Regex.Replace(quotas[closedSlug].TextContent, @"\s+", " "));
        var quota = quotas[Web.Demo.DemoSeeder.Slug];
        Assert.Contains("Reviewed Team", quota.TextContent);
        Assert.Contains($"{limit - 3} of {limit} submissions left today; the count resets at ", quota.TextContent);

        // the standings agree with the page: approved points count, the duplicate's (and its adjustment) do not
        await using (var scope = platform.Scope())
        {
            var standings = await TeamPoints.ForCompetitionAsync(platform.NewDb(scope), member.Team.CompetitionId);
            Assert.Equal(expected, standings[member.Team.Id].Points);
            var status = await scope.ServiceProvider.GetRequiredService<SubmissionStatusQuery>().ForAsync(approvedId, member.User.Id);
            Assert.Equal(expected, status!.Points);
            Assert.Null(await scope.ServiceProvider.GetRequiredService<SubmissionStatusQuery>().ForAsync(othersId, member.User.Id));
        }

        // the submission page shows the same review
        var single = ParticipantArrange.Html(await member.Client.GetStringAsync($"/submissions/{duplicateId}"));
        Assert.Equal("Duplicate", single.QuerySelector("[data-testid=triage-state]")!.TextContent);
        Assert.Equal("Same group as your earlier finding", single.QuerySelector("[data-testid=triage-note]")!.TextContent);
        Assert.Equal("0.0", single.QuerySelector("[data-testid=points]")!.TextContent);
    }

    [Fact]
    public async Task Page_AsksAnonymousToLogIn()
    {
        var response = await (await SignedInClient.CreateAsync(platform)).GetAsync("/submissions");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString);
    }
}
