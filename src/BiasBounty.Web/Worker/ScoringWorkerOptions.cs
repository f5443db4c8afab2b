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

    /// <summary>How long a parsed holdout and a competition's loaded models stay in worker memory unused.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan CacheSlidingExpiration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Cron schedule of <see cref="StalledSubmissionSweep"/>. Tests set it to never and run the sweep themselves.</summary>
    [Required] public string StalledSweepSchedule { get; set; } = "*/5 * * * *";

    /// <summary>How old an unfinished submission without a live scoring job must be before the sweep enqueues one
    /// (saving and enqueueing take milliseconds; the margin keeps the sweep out of a submit in progress).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")] public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(2);
}
