using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Tests.Worker;

/// <summary>The sweep that keeps submissions from waiting for ever on a scoring job that does not exist.</summary>
public sealed class StalledSubmissionSweepTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Sweep_EnqueuesASubmissionWhoseJobWasNeverEnqueued_AndItIsScored()
    {
        // As left by a process that stopped between saving the submission and enqueueing its job.
        var id = await Arrange.DemoSubmissionAsync(platform, "Never Enqueued", "age >= 62");
        await SavedMinutesAgoAsync(id, 10);

        Assert.True(await SweepAsync() >= 1);

        var submission = await Arrange.FinishedAsync(platform, id);
        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.NotNull(submission.ScoringJobId);
        var requeued = await RequeueEventsAsync(id);
        Assert.Contains("had not been enqueued", Assert.Single(requeued).Detail);
    }

    [Fact]
    public async Task Sweep_EnqueuesANewJob_WhenTheSubmissionsJobWasDeleted()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Deleted Job", "age >= 63");
        var deleted = platform.Jobs.Create(Job.FromExpression<ScoreSubmissionJob>(job => job.RunAsync(id, CancellationToken.None)), new DeletedState());
        await SavedMinutesAgoAsync(id, 10, deleted);

        Assert.True(await SweepAsync() >= 1);

        var submission = await Arrange.FinishedAsync(platform, id);
        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.NotEqual(deleted, submission.ScoringJobId);
        Assert.Contains($"{deleted} was Deleted", Assert.Single(await RequeueEventsAsync(id)).Detail);
    }

    [Fact]
    public async Task Sweep_LeavesAloneASubmissionWithALiveJob_AndOneJustSaved()
    {
        var waiting = await Arrange.DemoSubmissionAsync(platform, "Retry Pending", "age >= 64");
        // A retry waiting in Scheduled is a live job: the sweep must not add a second one.
        var scheduled = platform.Jobs.Schedule<ScoreSubmissionJob>(job => job.RunAsync(waiting, CancellationToken.None), TimeSpan.FromHours(1));
        await SavedMinutesAgoAsync(waiting, 10, scheduled);
        var justSaved = await Arrange.DemoSubmissionAsync(platform, "Just Saved", "age >= 65"); // its submit is still enqueueing

        await SweepAsync();

        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var rows = await db.Submissions.AsNoTracking().Where(s => s.Id == waiting || s.Id == justSaved).ToDictionaryAsync(s => s.Id);
        Assert.Equal(scheduled, rows[waiting].ScoringJobId);
        Assert.Null(rows[justSaved].ScoringJobId);
        Assert.All(rows.Values, s => Assert.Equal(SubmissionState.Queued, s.State));
        Assert.Empty(await RequeueEventsAsync(waiting));
        Assert.Empty(await RequeueEventsAsync(justSaved));
        platform.Jobs.Delete(scheduled);
    }

    [Fact]
    public async Task Sweep_FindsAStalledSubmission_BehindAFullPageOfLiveOnes()
    {
        var stalled = await Arrange.DemoSubmissionAsync(platform, "Behind The Backlog", "age >= 67");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var template = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == stalled);
            // A backlog older than the stalled submission, all with live jobs (saved before job ids were recorded, recently).
            db.Submissions.AddRange(Enumerable.Range(0, StalledSubmissionSweep.BatchSize).Select(i => new Submission
            {
                CompetitionId = template.CompetitionId, TeamId = template.TeamId, UserId = template.UserId, Expression = $"age >= {i}",
                ScoringJobId = StalledSubmissionSweep.LegacyJobId, CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-30).AddSeconds(i),
            }));
            await db.SaveChangesAsync();
        }
        await SavedMinutesAgoAsync(stalled, 10);

        Assert.True(await SweepAsync() >= 1);

        Assert.Equal(SubmissionState.Scored, (await Arrange.FinishedAsync(platform, stalled)).State);
        Assert.Single(await RequeueEventsAsync(stalled));
    }

    [Fact]
    public async Task Sweep_IgnoresFinishedSubmissions()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Already Failed", "age >= 66");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var submission = await db.Submissions.SingleAsync(s => s.Id == id);
            db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, "arranged"));
            submission.CreatedAt = DateTimeOffset.UtcNow.AddHours(-1);
            await db.SaveChangesAsync();
        }

        await SweepAsync();

        Assert.Empty(await RequeueEventsAsync(id));
    }

    private async Task<int> SweepAsync()
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<StalledSubmissionSweep>().RunAsync(CancellationToken.None);
    }

    private async Task SavedMinutesAgoAsync(Guid id, int minutes, string? jobId = null)
    {
        await using var scope = platform.Scope();
        await platform.NewDb(scope).Submissions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-minutes))
            .SetProperty(x => x.ScoringJobId, jobId));
    }

    private async Task<List<AuditEvent>> RequeueEventsAsync(Guid id)
    {
        await using var scope = platform.Scope();
        return await platform.NewDb(scope).AuditEvents.AsNoTracking()
            .Where(a => a.SubmissionId == id && a.Kind == AuditEvent.ScoringRequeued).ToListAsync();
    }
}
