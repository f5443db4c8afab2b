using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Review;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Worker;

public sealed class ScoreSubmissionJobTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Job_ScoresAnEnqueuedSubmission_StoresRecordAndAudit_AndTheLeaderboardShowsTheTeam()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Married Finders", Arrange.MarriedGroup, Arrange.MarriedFixModel);
        platform.Jobs.Enqueue<ScoreSubmissionJob>(job => job.RunAsync(id, CancellationToken.None));

        var submission = await Arrange.FinishedAsync(platform, id);

        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.Equal(1, submission.Runs);
        Assert.NotNull(submission.StartedAt);
        Assert.NotNull(submission.FinishedAt);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var score = await db.Scores.SingleAsync(s => s.SubmissionId == id);
            Assert.Equal(ScoreStatus.Scored, score.Record.Status);
            Assert.Equal(id.ToString(), score.Released.SubmissionId);
            Assert.True(score.FindingVerified);
            Assert.True(score.FixAccepted, string.Join("; ", score.Record.Fix?.Reasons ?? []));
            Assert.Equal(1, score.Record.Fix!.NewVersion);
            Assert.Equal([0, 1], await db.DecisionListVersions.Where(v => v.CompetitionId == score.CompetitionId).OrderBy(v => v.Version).Select(v => v.Version).ToListAsync());
            var points = await db.Points.SingleAsync(p => p.SubmissionId == id);
            Assert.Equal(score.Points, points.Points);
            Assert.True(points.Points > 0);

            var audit = await db.AuditEvents.Where(a => a.SubmissionId == id).OrderBy(a => a.Id).ToListAsync();
            Assert.Equal(
                new (string?, string?)[] { (null, "Queued"), ("Queued", "Scoring"), ("Scoring", "Scored") },
                audit.Select(a => (a.FromState, a.ToState)).ToArray());

            // the engine has answered: the organizer's turn; the public pages learn of it; the team is told
            Assert.Equal(TriageState.Scored, submission.Triage);
            Assert.True(await db.Competitions.Where(c => c.Id == score.CompetitionId).Select(c => c.Revision).SingleAsync() > 0);
            var notice = await db.Notifications.SingleAsync(n => n.SubmissionId == id);
            Assert.Equal(Notification.Verdict, notice.Kind);
            Assert.Equal(submission.UserId, notice.UserId);
            Assert.Contains(score.Released.Summary, notice.Body);
            Assert.Equal($"submissions/{id}", notice.Link);
        }

        var html = await platform.CreateClient().GetStringAsync($"/competitions/{DemoSeeder.Slug}/leaderboard");
        Assert.Contains("Married Finders", html);
    }

    [Fact]
    public async Task Job_LetsGoOfARejectedFix_InWorkerMemory()
    {
        // A copy of the demo of its own: its married group would make the same group a duplicate in the demo competition.
        Guid id;
        await using (var arrange = platform.Scope())
        {
            var own = await CompetitionBuilder.New("Wrong fix").SaveWithDemoDataAsync(arrange);
            var ownDb = platform.NewDb(arrange);
            var (user, team) = await Arrange.TeamAsync(ownDb, own.Id, "Wrong Fixers");
            id = (await Arrange.SubmissionAsync(ownDb, own, user, team, Arrange.MarriedGroup, Arrange.MarriedWrongFixModel)).Id;
        }
        platform.Jobs.Enqueue<ScoreSubmissionJob>(job => job.RunAsync(id, CancellationToken.None));

        var submission = await Arrange.FinishedAsync(platform, id);

        Assert.Equal(SubmissionState.Scored, submission.State);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        Assert.False(await db.Scores.Where(s => s.SubmissionId == id).Select(s => s.FixAccepted).SingleAsync());
        var runtime = await platform.Services.GetRequiredService<CompetitionRuntimeCache>()
            .GetAsync(db, await db.Competitions.SingleAsync(c => c.Id == submission.CompetitionId), CancellationToken.None);
        Assert.False(runtime.Catalog.Contains(ModelCatalog.ContentId(Arrange.MarriedWrongFixModel)));
        var list = PointerDecisionList.FromJson(await db.DecisionListVersions.Where(v => v.CompetitionId == submission.CompetitionId)
            .OrderByDescending(v => v.Version).Select(v => v.ListJson).FirstAsync());
        Assert.All(list.ReferencedModelIds(), model => Assert.True(runtime.Catalog.Contains(model))); // what the model uses stays
    }

    [Fact]
    public async Task Job_EndsInFailedWithTheEnginesMessage_AndDoesNotRetry_WhenTheExpressionIsBad()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Typo Team", "no_such_column == 1 and");
        var jobId = platform.Jobs.Enqueue<ScoreSubmissionJob>(job => job.RunAsync(id, CancellationToken.None));

        var submission = await Arrange.FinishedAsync(platform, id);

        Assert.Equal(SubmissionState.Failed, submission.State);
        Assert.False(string.IsNullOrWhiteSpace(submission.FailureReason));
        Assert.DoesNotContain("internal error", submission.FailureReason);
        Assert.Equal(1, submission.Runs);
        await WaitForJobStateAsync(jobId, "Succeeded"); // handled, so Hangfire does not retry it
        await using var check = platform.Scope();
        var db2 = platform.NewDb(check);
        Assert.False(await db2.Scores.AnyAsync(s => s.SubmissionId == id));
        var last = await db2.AuditEvents.Where(a => a.SubmissionId == id).OrderBy(a => a.Id).LastAsync();
        Assert.Equal(("Scoring", "Failed"), (last.FromState, last.ToState));
        Assert.Equal(submission.FailureReason, last.Detail);
    }

    [Fact]
    public async Task Job_DoesNothing_WhenTheSubmissionIsAlreadyFinished()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Done Team", "age >= 60");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var submission = await db.Submissions.SingleAsync(s => s.Id == id);
            db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, "withdrawn"));
            await db.SaveChangesAsync();
        }
        await platform.RunScoringJobAsync(id);

        await using var check = platform.Scope();
        var after = await platform.NewDb(check).Submissions.SingleAsync(s => s.Id == id);
        Assert.Equal((SubmissionState.Failed, 0, "withdrawn"), (after.State, after.Runs, after.FailureReason));
    }

    [Fact]
    public async Task Job_EndsInFailedWithAReason_WhenItsLastRunThrowsUnexpectedly()
    {
        var id = await SubmissionOnABrokenCompetitionAsync(runsSoFar: ScoreSubmissionJob.MaxRuns - 1);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => platform.RunScoringJobAsync(id));

        await using var check = platform.Scope();
        var after = await platform.NewDb(check).Submissions.SingleAsync(s => s.Id == id);
        Assert.Equal((SubmissionState.Failed, ScoreSubmissionJob.InternalErrorReason), (after.State, after.FailureReason));
    }

    [Fact]
    public async Task Job_RethrowsForRetry_AndLeavesTheSubmissionScoring_BeforeItsLastRun()
    {
        var id = await SubmissionOnABrokenCompetitionAsync(runsSoFar: 0);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => platform.RunScoringJobAsync(id));

        await using var check = platform.Scope();
        var after = await platform.NewDb(check).Submissions.SingleAsync(s => s.Id == id);
        Assert.Equal((SubmissionState.Scoring, 1), (after.State, after.Runs));
    }

    [Fact]
    public async Task Job_FailsWithoutScoring_WhenEarlierRunsCrashedTheWorker()
    {
        var id = await SubmissionOnABrokenCompetitionAsync(runsSoFar: ScoreSubmissionJob.MaxRuns);

        await platform.RunScoringJobAsync(id);

        await using var check = platform.Scope();
        var after = await platform.NewDb(check).Submissions.SingleAsync(s => s.Id == id);
        Assert.Equal((SubmissionState.Failed, ScoreSubmissionJob.InternalErrorReason), (after.State, after.FailureReason));
    }

    /// <summary>A submission to a copy of the demo competition that has no model version: scoring it throws unexpectedly.</summary>
    private async Task<Guid> SubmissionOnABrokenCompetitionAsync(int runsSoFar)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var broken = await CompetitionBuilder.New("Broken").WithDemoFiles().SaveAsync(db);
        var (user, team) = await Arrange.TeamAsync(db, broken.Id, "Unlucky");
        var submission = await Arrange.SubmissionAsync(db, broken, user, team, "age >= 60");
        submission.Runs = runsSoFar;
        if (runsSoFar > 0) db.AuditEvents.Add(submission.MoveTo(SubmissionState.Scoring));
        await db.SaveChangesAsync();
        return submission.Id;
    }

    private async Task WaitForJobStateAsync(string jobId, string state)
    {
        var storage = platform.Services.GetRequiredService<JobStorage>();
        for (var i = 0; i < 100; i++)
        {
            using var connection = storage.GetConnection();
            var current = connection.GetStateData(jobId)?.Name;
            if (current == state) return;
            Assert.NotEqual("Failed", current);
            Assert.NotEqual("Scheduled", current); // a retry would be scheduled
            await Task.Delay(100);
        }
        Assert.Fail($"job {jobId} did not reach {state}");
    }
}
