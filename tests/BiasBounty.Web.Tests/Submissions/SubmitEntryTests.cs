using System.IO.Compression;
using System.Text.Json;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Submissions;

public sealed class SubmitEntryTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task<SubmitResult> SubmitAsync(string userId, string? expression, byte[]? fix = null, Metric? metric = null, string slug = DemoSeeder.Slug)
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
            .SubmitAsync(new SubmitRequest(slug, userId, expression, metric, fix is null ? null : new UploadedFix("fix.onnx", fix)));
    }

    private async Task<ApplicationUser> UserAsync(string displayName)
    {
        await using var scope = platform.Scope();
        return await Arrange.UserAsync(platform.NewDb(scope), displayName);
    }

    [Fact]
    public async Task Submit_CreatesATeamOfOne_TheJobScoresIt_AndTheLeaderboardAndModelDownloadShowTheAcceptedFix()
    {
        var user = await UserAsync("Solo Finder");

        var result = await SubmitAsync(user.Id, Arrange.MarriedGroup, Arrange.MarriedFixModel);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        var submission = await Arrange.FinishedAsync(platform, result.SubmissionId!.Value);
        Assert.Equal(SubmissionState.Scored, submission.State);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var team = await db.Teams.Include(t => t.Members).SingleAsync(t => t.Id == submission.TeamId);
            Assert.Equal("Solo Finder", team.Name);
            Assert.Equal(user.Id, Assert.Single(team.Members).UserId);
            Assert.Equal(Metric.Error, submission.Metric);
            Assert.NotNull(submission.ScoringJobId); // the sweep leaves a submission with a live job alone
            var fix = await db.StoredFiles.SingleAsync(f => f.Id == submission.FixModelFileId);
            Assert.Equal(StoredFileKind.Model, fix.Kind);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Arrange.MarriedFixModel)), fix.ContentHash);
            var audit = await db.AuditEvents.Where(a => a.SubmissionId == submission.Id).OrderBy(a => a.Id).Select(a => a.ToState).ToListAsync();
            Assert.Equal([nameof(SubmissionState.Queued), nameof(SubmissionState.Scoring), nameof(SubmissionState.Scored)], audit);

            var status = await scope.ServiceProvider.GetRequiredService<SubmissionStatusQuery>().ForAsync(submission.Id, user.Id);
            Assert.Equal(SubmissionState.Scored, status!.State);
            Assert.NotNull(status.Released);
            Assert.True(status.Released.FixVerified);
        }

        var client = platform.CreateClient();
        Assert.Contains("Solo Finder", await client.GetStringAsync($"/competitions/{DemoSeeder.Slug}/leaderboard"));

        // After an accepted fix the model download is a zip: the public decision list (no holdout predictions) and its models.
        using var zip = new ZipArchive(new MemoryStream(await client.GetByteArrayAsync($"/competitions/{DemoSeeder.Slug}/download/model")));
        var listJson = new StreamReader(zip.GetEntry("decision-list.json")!.Open()).ReadToEnd();
        Assert.DoesNotContain("holdoutPredictions", listJson, StringComparison.OrdinalIgnoreCase);
        using var list = JsonDocument.Parse(listJson);
        Assert.True(list.RootElement.GetProperty("nodes").GetArrayLength() >= 1);
        Assert.Contains(zip.Entries, e => e.FullName == $"models/{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Arrange.MarriedFixModel))}.onnx");
    }

    [Fact]
    public async Task Submit_RefusesASingleOperatorMemoryBomb_WithTheSmokeBudgetMessage_InAModelHost()
    {
        // One Expand to (oldest of the 16 public rows) × 10^7 floats, gigabytes: sized by the data, filled by one operator.
        var user = await UserAsync("Single Expand");

        var refused = await SubmitAsync(user.Id, Arrange.MarriedGroup, BiasBounty.Scoring.Tests.Models.OnnxBombs.SingleExpand(1e7f, "age"));

        Assert.False(refused.Succeeded);
        Assert.Contains("the model used more than 256 MB of memory in the 16-row smoke test", refused.Errors[SubmitEntry.Fields.Fix]);
    }

    [Fact]
    public async Task Submit_WithAnInvalidExpression_AnswersThat_WithoutRunningTheUploadedModel()
    {
        // Garbage as a model: were it loaded, the answer would also carry the model's error. The cheap check answers first.
        var user = await UserAsync("Cheap First");

        var refused = await SubmitAsync(user.Id, "agee >= 60", fix: [1, 2, 3, 4]);

        Assert.Contains(SubmitEntry.Fields.Expression, refused.Errors.Keys);
        Assert.DoesNotContain(SubmitEntry.Fields.Fix, refused.Errors.Keys);
    }

    [Fact]
    public async Task Submit_WithTheQuotaSpent_AnswersThat_WithoutRunningTheUploadedModel()
    {
        var user = await UserAsync("Spent Quota");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            var team = await Arrange.TeamOfAsync(db, competition.Id, user, "Spent Quota");
            for (var i = 0; i < 5; i++) await Arrange.SubmissionAsync(db, competition, user, team, $"age >= {40 + i}");
            await db.SaveChangesAsync();
        }

        var refused = await SubmitAsync(user.Id, "age >= 70", fix: [1, 2, 3, 4]);

        Assert.Equal([SubmitEntry.Fields.Quota], refused.Errors.Keys);
    }

    [Fact]
    public async Task Submit_RefusesTheSixthSubmissionOfADay_ButFailedAndYesterdaysDoNotCount()
    {
        var user = await UserAsync("Quota Team");
        Guid firstId;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            var team = await Arrange.TeamOfAsync(db, competition.Id, user, "Quota Team");
            var yesterday = await Arrange.SubmissionAsync(db, competition, user, team, "age >= 60");
            yesterday.CreatedAt = DateTimeOffset.UtcNow.AddDays(-1);
            firstId = (await Arrange.SubmissionAsync(db, competition, user, team, "age >= 61")).Id;
            for (var i = 0; i < 4; i++) await Arrange.SubmissionAsync(db, competition, user, team, $"age >= {62 + i}");
            await db.SaveChangesAsync();
        }

        var refused = await SubmitAsync(user.Id, "age >= 70");

        Assert.False(refused.Succeeded);
        Assert.Contains("used its 5 submissions", refused.Errors[SubmitEntry.Fields.Quota]);

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var first = await db.Submissions.SingleAsync(s => s.Id == firstId);
            db.AuditEvents.Add(first.MoveTo(SubmissionState.Failed, "the model is not a valid ONNX file"));
            await db.SaveChangesAsync();
        }
        var accepted = await SubmitAsync(user.Id, "age >= 70");
        Assert.True(accepted.Succeeded, string.Join("; ", accepted.Errors.Values));
        Assert.False((await SubmitAsync(user.Id, "age >= 71")).Succeeded);
    }

    [Fact]
    public async Task Submit_KeepsCountingTheUsersOwnSubmissions_AfterTheyLeaveTheTeamForANewOne()
    {
        var user = await UserAsync("Quota Leaver");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            var team = await Arrange.TeamOfAsync(db, competition.Id, user, "Quota Leavers");
            for (var i = 0; i < 5; i++) await Arrange.SubmissionAsync(db, competition, user, team, $"age >= {40 + i}");
            var left = await scope.ServiceProvider.GetRequiredService<TeamMembership>().LeaveAsync(team.Id, user.Id);
            Assert.Null(left.Error);
        }

        // the submit makes the user a new team of one; the day's five probes still count against it
        var refused = await SubmitAsync(user.Id, "age >= 70");

        Assert.False(refused.Succeeded);
        Assert.Contains("used its 5 submissions", refused.Errors[SubmitEntry.Fields.Quota]);
    }

    public static TheoryData<string?, string, string> BadExpressions => new()
    {
        { null, SubmitEntry.Fields.Expression, "Write a group" },
        { "   ", SubmitEntry.Fields.Expression, "Write a group" },
        { new string('a', 2001), SubmitEntry.Fields.Expression, "the limit is 2,000" },
        { "agee >= 60", SubmitEntry.Fields.Expression, "unknown column 'agee'" },
        { "age >= ", SubmitEntry.Fields.Expression, "column " },
        { "income == \">50K\"", SubmitEntry.Fields.Expression, "cannot be used in a group" },
    };

    [Theory]
    [MemberData(nameof(BadExpressions))]
    public async Task Submit_RefusesABadExpression_WithItsMessage(string? expression, string field, string message)
    {
        var user = await UserAsync("Bad Expressions");

        var result = await SubmitAsync(user.Id, expression);

        Assert.False(result.Succeeded);
        Assert.Contains(message, result.Errors[field]);
    }

    [Fact]
    public async Task Submit_RefusesAFileThatIsNotAnOnnxModel_WithTheEnginesMessage()
    {
        var user = await UserAsync("Bad Files");

        var result = await SubmitAsync(user.Id, "age >= 60", "this is not a model"u8.ToArray());

        Assert.False(result.Succeeded);
        Assert.False(string.IsNullOrWhiteSpace(result.Errors[SubmitEntry.Fields.Fix]));
        Assert.DoesNotContain(SubmitEntry.Fields.Expression, result.Errors.Keys);
    }

    [Fact]
    public async Task Submit_RefusesAnEmptyOrTooLargeFile()
    {
        var user = await UserAsync("Big Files");

        var empty = await SubmitAsync(user.Id, "age >= 60", []);
        var large = await SubmitAsync(user.Id, "age >= 60", new byte[50 * 1024 * 1024 + 1]);

        Assert.Equal("The file is empty.", empty.Errors[SubmitEntry.Fields.Fix]);
        Assert.Contains("the limit is 50 MB", large.Errors[SubmitEntry.Fields.Fix]);
    }

    [Fact]
    public async Task Submit_RefusesAMetricTheCompetitionDoesNotTake()
    {
        var user = await UserAsync("Squared");

        var result = await SubmitAsync(user.Id, "age >= 60", metric: Metric.Squared);

        Assert.Contains("This competition takes error, fpr, fnr", result.Errors[SubmitEntry.Fields.Metric]);
    }

    [Fact]
    public async Task Submit_RefusesAFixOnAnotherMetricThanTheCompetitions()
    {
        var user = await UserAsync("Fnr Fixer");

        var result = await SubmitAsync(user.Id, Arrange.MarriedGroup, Arrange.MarriedFixModel, Metric.Fnr);

        Assert.Contains("A fix is judged on the competition's metric (error)", result.Errors[SubmitEntry.Fields.Metric]);
        Assert.True((await SubmitAsync(user.Id, Arrange.MarriedGroup, metric: Metric.Fnr)).Succeeded); // a finding on fnr is fine
    }

    [Fact]
    public async Task Submit_RefusesAnUnknownOrClosedCompetition()
    {
        var user = await UserAsync("Late");
        string closedSlug;
        await using (var scope = platform.Scope())
            closedSlug = (await CompetitionBuilder.New("Closed").LikeDemo().Closed().SaveAsync(platform.NewDb(scope))).Slug;

        Assert.Equal("There is no such competition.", (await SubmitAsync(user.Id, "age >= 60", slug: "no-such-thing")).Errors[SubmitEntry.Fields.Competition]);
        Assert.Equal(SubmitEntry.ClosedMessage, (await SubmitAsync(user.Id, "age >= 60", slug: closedSlug)).Errors[SubmitEntry.Fields.Competition]);
    }

    [Fact]
    public async Task Job_RefusesACategoryTheHoldoutLacks_AsATooSmallGroup_ThatCountsAgainstTheQuota()
    {
        // "Holand-Netherlands" is in adult.data (public) but not in adult.test (the holdout). The answer must be the one
        // any small group gets (an answer drawn from the holdout, so it uses quota), never a free "failed" that would
        // let anyone test without limit which public values the holdout holds.
        var user = await UserAsync("Dutch Finder");
        var result = await SubmitAsync(user.Id, "native-country == \"Holand-Netherlands\"");
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));

        var submission = await Arrange.FinishedAsync(platform, result.SubmissionId!.Value);

        Assert.Equal(SubmissionState.Refused, submission.State);
        Assert.StartsWith("group too small", submission.FailureReason);
        Assert.DoesNotContain("Holand", submission.FailureReason);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var quota = await Quota.ForAsync(db, submission.CompetitionId, submission.TeamId, user.Id, 100, DateTimeOffset.UtcNow);
        Assert.Equal(1, quota.Used);
    }

    [Fact]
    public async Task StatusQuery_HidesASubmissionFromUsersOutsideItsTeam()
    {
        var owner = await UserAsync("Owner");
        var stranger = await UserAsync("Stranger");
        var result = await SubmitAsync(owner.Id, "age >= 60");

        await using var scope = platform.Scope();
        var query = scope.ServiceProvider.GetRequiredService<SubmissionStatusQuery>();
        Assert.NotNull(await query.ForAsync(result.SubmissionId!.Value, owner.Id));
        Assert.Null(await query.ForAsync(result.SubmissionId!.Value, stranger.Id));
        Assert.Empty(await query.MineAsync(stranger.Id));
    }
}
