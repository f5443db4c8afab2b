using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Worker;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace BiasBounty.Web.Tests.Worker;

/// <summary>Enqueueing a stored submission's scoring job when Hangfire's storage briefly refuses (a database restart).</summary>
public sealed class HangfireScoringQueueTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task EnqueueAsync_TriesAgain_WhenTheStorageRefusesOnce_SoTheSubmissionIsScoredWithoutWaitingForTheSweep()
    {
        // Found by deploy/faults.sh: a submission saved just before PostgreSQL restarted got no job and waited 6 minutes
        // for the stalled-submission sweep.
        var id = await Arrange.DemoSubmissionAsync(platform, "Restart Survivor", "age >= 66");
        var storage = new RefusingJobClient(platform.Jobs, refusals: 1);
        await using var scope = platform.Scope();
        var queue = new HangfireScoringQueue(platform.NewDb(scope), storage, NullLogger<HangfireScoringQueue>.Instance);

        var jobId = await queue.EnqueueAsync(id);

        Assert.NotNull(jobId);
        Assert.Equal(2, storage.Attempts);
        var submission = await Arrange.FinishedAsync(platform, id);
        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.Equal(jobId, submission.ScoringJobId);
    }

    [Fact]
    public async Task EnqueueAsync_LeavesTheSubmissionToTheSweep_WhenTheStorageKeepsRefusing()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Long Outage", "age >= 67");
        var storage = new RefusingJobClient(platform.Jobs, refusals: int.MaxValue);
        await using var scope = platform.Scope();
        var queue = new HangfireScoringQueue(platform.NewDb(scope), storage, NullLogger<HangfireScoringQueue>.Instance);

        Assert.Null(await queue.EnqueueAsync(id));

        Assert.Equal(HangfireScoringQueue.RetryDelays.Length + 1, storage.Attempts);
        var submission = await platform.NewDb(scope).Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
        Assert.Null(submission.ScoringJobId); // what the stalled-submission sweep looks for
    }

    /// <summary>Hangfire's client whose storage refuses the first <c>refusals</c> jobs, as during a database restart.</summary>
    private sealed class RefusingJobClient(IBackgroundJobClient inner, int refusals) : IBackgroundJobClient
    {
        public int Attempts { get; private set; }

        public string Create(Job job, IState state)
        {
            if (Attempts++ < refusals)
                throw new BackgroundJobClientException("Background job creation failed.", new InvalidOperationException("57P01: terminating connection due to administrator command"));
            return inner.Create(job, state);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => inner.ChangeState(jobId, state, expectedState);
    }
}
