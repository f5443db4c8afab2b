using System.ComponentModel.DataAnnotations;

namespace BiasBounty.Web.Worker;

/// <summary>Section <c>BiasBounty:Worker</c>.</summary>
public sealed class ScoringWorkerOptions
{
    public const string Section = "BiasBounty:Worker";

    /// <summary>Hangfire worker threads of this process. Scoring is CPU-bound, so about one per core.</summary>
    [Range(1, 64)] public int WorkerCount { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>How often an idle worker polls the queue (PostgreSQL LISTEN/NOTIFY usually wakes it sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")] public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a fetched job stays invisible to other workers without a sign of life from the worker that fetched it:
    /// a job whose worker died is fetched again after at most this long (plus <see cref="QueuePollInterval"/>). Safe for
    /// jobs of any length: Hangfire.PostgreSql's sliding invisibility timeout has a live worker renew its fetched job every
    /// fifth of this, so only a worker that stopped renewing (killed, or cut off from the database for this long) loses it;
    /// and a second run of a scoring job is harmless (re-entrant, serialised per competition).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")] public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a parsed holdout and a competition's loaded models stay in worker memory unused.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan CacheSlidingExpiration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Cron schedule of <see cref="StalledSubmissionSweep"/>. Tests set it to never and run the sweep themselves.</summary>
    [Required] public string StalledSweepSchedule { get; set; } = "*/5 * * * *";

    /// <summary>How old an unfinished submission without a live scoring job must be before the sweep enqueues one
    /// (saving and enqueueing take milliseconds; the margin keeps the sweep out of a submit in progress).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")] public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(2);
}
