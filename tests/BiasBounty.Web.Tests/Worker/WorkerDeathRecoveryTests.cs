using System.Collections.Concurrent;
using System.Diagnostics;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Worker;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BiasBounty.Web.Tests.Worker;

/// <summary>
/// A worker process killed after fetching a scoring job: its job stays Processing in Hangfire and fetched in
/// <c>hangfire.jobqueue</c>, and nothing renews it. Another worker must take it over well within a minute (not after
/// Hangfire.PostgreSql's default 30-minute invisibility timeout), with the platform's default settings.
/// </summary>
public sealed class WorkerDeathRecoveryTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    /// <summary>The bound for recovery after a worker dies, scoring included.</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AJobFetchedByAWorkerThatDied_IsScoredByAnotherWorker_WellWithinAMinute()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Dead Worker", "age >= 61");
        var died = Stopwatch.StartNew();
        var jobId = await DeadWorker.AbandonedAsync(platform, id);

        var submission = await Arrange.FinishedAsync(platform, id, RecoveryBound);

        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.True(died.Elapsed < RecoveryBound, $"scored {died.Elapsed} after the worker died");
        Assert.Equal(2, submission.Runs); // the dead worker's run, then the one that scored it
        Assert.Equal(jobId, submission.ScoringJobId); // the same job, fetched again: the sweep had nothing to do
        await DeadWorker.WaitForAsync(() => DeadWorker.StateOf(platform, jobId) == SucceededState.StateName, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task AJobWhoseWorkerDied_GoesBackToTheFrontOfTheQueue_NotBehindEveryJobQueuedSince()
    {
        // A queue no worker of this platform serves, so the test decides when jobs are fetched.
        const string queue = "abandoned_test";
        var job = Job.FromExpression(() => LongJob.Run("never", 0));
        var abandoned = platform.Jobs.Create(job, new EnqueuedState(queue));
        var newer = platform.Jobs.Create(job, new EnqueuedState(queue));
        var running = platform.Jobs.Create(job, new EnqueuedState(queue));
        await using (var connection = new NpgsqlConnection(platform.ConnectionString))
        {
            await connection.OpenAsync();
            // The first was fetched ten minutes ago by a worker that never renewed it; the third just now, by a live one.
            await using var fetched = new NpgsqlCommand(
                "UPDATE hangfire.jobqueue SET fetchedat = CASE jobid WHEN @abandoned THEN NOW() - INTERVAL '10 minutes' ELSE NOW() END WHERE jobid IN (@abandoned, @running)", connection);
            fetched.Parameters.AddWithValue("abandoned", long.Parse(abandoned));
            fetched.Parameters.AddWithValue("running", long.Parse(running));
            Assert.Equal(2, await fetched.ExecuteNonQueryAsync());
        }

        await platform.Services.GetRequiredService<AbandonedJobs>().RequeueAsync(CancellationToken.None);

        // Hangfire's own order would give the never-fetched job first; the abandoned one is older, and goes first.
        using var storage = platform.Services.GetRequiredService<JobStorage>().GetConnection();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = storage.FetchNextJob([queue], cancel.Token);
        var second = storage.FetchNextJob([queue], cancel.Token);
        Assert.Equal([abandoned, newer], [first.JobId, second.JobId]);
        first.RemoveFromQueue();
        second.RemoveFromQueue();
        first.Dispose();
        second.Dispose();
        // The live worker's job was left alone: nothing else is fetchable.
        using var none = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        Assert.ThrowsAny<OperationCanceledException>(() => storage.FetchNextJob([queue], none.Token));
    }

    [Fact]
    public void TheDefaultInvisibilityTimeout_IsWellUnderAMinute_AndSliding()
    {
        var worker = platform.Services.GetRequiredService<IOptions<ScoringWorkerOptions>>().Value;
        var storage = WorkerExtensions.StorageOptions(worker);
        Assert.True(storage.UseSlidingInvisibilityTimeout);
        Assert.Equal(worker.InvisibilityTimeout, storage.InvisibilityTimeout);
        Assert.True(storage.InvisibilityTimeout + storage.QueuePollInterval <= TimeSpan.FromSeconds(45));
    }
}

/// <summary>What a killed worker leaves behind, and waiting for Hangfire.</summary>
public static class DeadWorker
{
    /// <summary>
    /// What a worker leaves when it is killed just after taking a submission's job: the Hangfire job in Processing on
    /// its server, the queue entry fetched (now, so the whole invisibility timeout is still to run), the submission in
    /// Scoring with one run counted. Returns the job's id.
    /// </summary>
    public static async Task<string> AbandonedAsync(PlatformFactory platform, Guid submissionId)
    {
        var jobId = platform.Jobs.Create(Job.FromExpression<ScoreSubmissionJob>(job => job.RunAsync(submissionId, CancellationToken.None)),
            new ProcessingOnADeadServer());
        await using (var connection = new NpgsqlConnection(platform.ConnectionString))
        {
            await connection.OpenAsync();
            await using var fetched = new NpgsqlCommand(
                "INSERT INTO hangfire.jobqueue (jobid, queue, fetchedat) VALUES (@job, 'default', NOW())", connection);
            fetched.Parameters.AddWithValue("job", long.Parse(jobId));
            await fetched.ExecuteNonQueryAsync();
        }
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var submission = await db.Submissions.SingleAsync(s => s.Id == submissionId);
        db.AuditEvents.Add(submission.MoveTo(SubmissionState.Scoring));
        submission.Runs = 1;
        submission.ScoringJobId = jobId;
        await db.SaveChangesAsync();
        return jobId;
    }

    public static string? StateOf(PlatformFactory platform, string jobId)
    {
        using var connection = platform.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    public static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold in time");
            await Task.Delay(200);
        }
    }

    /// <summary>Hangfire's Processing state as a worker of server <c>dead-worker:4242</c> wrote it (its constructor is internal).</summary>
    private sealed class ProcessingOnADeadServer : IState
    {
        public string Name => ProcessingState.StateName;
        public string Reason => "fetched by a worker that was then killed";
        public bool IsFinal => false;
        public bool IgnoreJobLoadException => false;

        public Dictionary<string, string> SerializeData() => new()
        {
            ["StartedAt"] = JobHelper.SerializeDateTime(DateTime.UtcNow), ["ServerId"] = "dead-worker:4242", ["WorkerId"] = Guid.NewGuid().ToString(),
        };
    }
}

/// <summary>A platform whose fetched jobs are invisible for 5 seconds only, so that a long job outlives it many times.</summary>
public sealed class ShortInvisibilityPlatform : PlatformFactory
{
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromSeconds(5);

    public override bool Demo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("BiasBounty:Worker:InvisibilityTimeout", InvisibilityTimeout.ToString());
    }
}

/// <summary>The other side of a short invisibility timeout: a live worker keeps its long job (the sliding renewal).</summary>
public sealed class LongJobTests(ShortInvisibilityPlatform platform) : IClassFixture<ShortInvisibilityPlatform>
{
    [Fact]
    public async Task AJobRunningFourTimesLongerThanTheInvisibilityTimeout_RunsOnce()
    {
        var key = Guid.NewGuid().ToString("N");
        var duration = ShortInvisibilityPlatform.InvisibilityTimeout * 4;
        var jobId = platform.Jobs.Enqueue(() => LongJob.Run(key, (int)duration.TotalMilliseconds));

        await DeadWorker.WaitForAsync(
            () => DeadWorker.StateOf(platform, jobId) == SucceededState.StateName, duration + TimeSpan.FromSeconds(30));

        Assert.Equal(1, LongJob.Starts.GetValueOrDefault(key)); // the second worker never took it over
    }
}

/// <summary>A job that only takes time, counting how often it was started.</summary>
public static class LongJob
{
    public static readonly ConcurrentDictionary<string, int> Starts = new();

    public static void Run(string key, int milliseconds)
    {
        Starts.AddOrUpdate(key, 1, (_, n) => n + 1);
        Thread.Sleep(milliseconds);
    }
}
