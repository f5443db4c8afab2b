using System.Diagnostics.Metrics;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Hosting;
using Hangfire;

namespace BiasBounty.Web.Worker;

/// <summary>
/// The scoring worker's own metrics, on <see cref="TelemetryExtensions.PlatformMeter"/>: verdicts by outcome, and the
/// queue's depth (enqueued and processing jobs, read from the job storage when metrics are collected), which the worker
/// autoscaler follows (deploy/k8s).
/// </summary>
public sealed class ScoringMetrics
{
    private readonly Counter<long> _verdicts;
    private readonly Counter<long> _redecided;

    public ScoringMetrics(IMeterFactory meters, JobStorage storage)
    {
        var meter = meters.Create(TelemetryExtensions.PlatformMeter);
        _verdicts = meter.CreateCounter<long>("biasbounty.verdicts", description: "Submissions scored, by outcome");
        _redecided = meter.CreateCounter<long>("biasbounty.scoring.redecided",
            description: "Decisions drafted again under the competition's lock because something they depended on moved meanwhile");
        meter.CreateObservableGauge("biasbounty.queue.depth", () => QueueDepth(storage, processing: false),
            description: "Scoring jobs waiting in the queue");
        meter.CreateObservableGauge("biasbounty.queue.processing", () => QueueDepth(storage, processing: true),
            description: "Scoring jobs being processed by a worker");
    }

    /// <summary>A submission that could not be scored (its expression or model was unusable).</summary>
    public const string Failed = "failed";

    /// <summary>The outcome names the counter uses: failed, refused, duplicate, not_verified, finding_verified, fix_accepted.</summary>
    public static string Outcome(ScoreStatus status, bool findingVerified, bool fixAccepted) => status switch
    {
        ScoreStatus.Refused => "refused",
        ScoreStatus.Duplicate => "duplicate",
        _ when fixAccepted => "fix_accepted",
        _ when findingVerified => "finding_verified",
        _ => "not_verified",
    };

    /// <summary>A draft that no longer held under the lock (a fix accepted, the team's claim or the same rows decided meanwhile).</summary>
    public void Redecided() => _redecided.Add(1);

    public void Verdict(string outcome) => _verdicts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static IEnumerable<Measurement<long>> QueueDepth(JobStorage storage, bool processing)
    {
        long count;
        try
        {
            var monitoring = storage.GetMonitoringApi();
            count = processing ? monitoring.ProcessingCount() : monitoring.Queues().Sum(q => (long)q.Length);
        }
        catch (Exception)
        {
            // The database is down: no measurement rather than a wrong one (health says why).
            return [];
        }
        return [new Measurement<long>(count)];
    }
}
