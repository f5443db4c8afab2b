using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BiasBounty.Scoring.Engine;

/// <summary>
/// Telemetry of scoring, in the BCL's own types so the engine needs no telemetry package: a span per stage of a
/// submission (load, mask, test, fix, decision, lock, save) on <see cref="ActivitySource"/> and its duration on the
/// <see cref="StageDuration"/> histogram. Both cost next to nothing when nothing listens (the CLI, the tests). Tags
/// name the stage only, never a group, value or row.
/// </summary>
public static class ScoringStages
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "BiasBounty.Scoring";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Seconds per stage of scoring a submission (tag <c>stage</c>).</summary>
    public static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(
        "biasbounty.scoring.stage.duration", unit: "s", description: "Time spent in each stage of scoring a submission");

    public const string Load = "load";
    public const string Mask = "mask";
    public const string Test = "test";
    public const string Fix = "fix";
    public const string Decision = "decision";
    public const string Save = "save";

    /// <summary>Waiting for the competition's lock, which the platform takes to write a decision.</summary>
    public const string Lock = "lock";

    /// <summary>Starts a stage; dispose it when the stage ends.</summary>
    public static StageScope Begin(string stage) => new(stage, ActivitySource.StartActivity("score." + stage), Stopwatch.GetTimestamp());

    /// <summary>One running stage.</summary>
    public readonly struct StageScope(string stage, Activity? activity, long started) : IDisposable
    {
        public void Dispose()
        {
            activity?.Dispose();
            if (StageDuration.Enabled)
                StageDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        }
    }
}
