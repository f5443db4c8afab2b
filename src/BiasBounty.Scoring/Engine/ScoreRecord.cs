using System.Text.Json.Serialization;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Engine;

/// <summary>How far a submission got.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScoreStatus>))]
public enum ScoreStatus
{
    /// <summary>Passed the gates and was tested.</summary>
    Scored,

    /// <summary>Stopped at a gate (size, metric, budget); nothing was tested and no level was spent.</summary>
    Refused,

    /// <summary>The same mask and metric as an earlier submission: answered from its record, earns nothing.</summary>
    Duplicate,
}

/// <summary>
/// Everything the engine measured for one submission (docs/scoring-rules.md) with its provenance. Organizers see it;
/// participants see only the <see cref="ReleasedView"/>.
/// </summary>
public sealed record ScoreRecord
{
    public required string SubmissionId { get; init; }

    public required Metric Metric { get; init; }

    public required ScoreStatus Status { get; init; }

    /// <summary>For <see cref="ScoreStatus.Refused"/>: the reason, written for the participant.</summary>
    public string? RefusalReason { get; init; }

    /// <summary>The group's canonical text or model id.</summary>
    public required string Group { get; init; }

    public required string MaskHash { get; init; }

    /// <summary>Eligible rows of the group and their share μ(g) on the whole holdout.</summary>
    public int GroupRows { get; init; }

    public double GroupShare { get; init; }

    public string? DuplicateOf { get; init; }

    /// <summary>Accepted groups whose Jaccard similarity to this one reaches the near-duplicate threshold.</summary>
    public IReadOnlyList<NearDuplicate> NearDuplicates { get; init; } = [];

    public FindingResult? Finding { get; init; }

    public FixResult? Fix { get; init; }

    /// <summary>The noisy, rounded numbers from the feedback part, exactly as released (null when suppressed).</summary>
    public FeedbackNumbers? Feedback { get; init; }

    public double Points { get; init; }

    public required Provenance Provenance { get; init; }

    [JsonIgnore] public bool FindingVerified => Finding?.Verified == true;

    [JsonIgnore] public bool FixVerified => Fix?.Verified == true;
}

public sealed record NearDuplicate(string SubmissionId, double Jaccard);

/// <summary>Claim 1 on the confirmation part: the model underperforms on g.</summary>
public sealed record FindingResult(
    int GroupRows,
    double GroupLoss,
    int ComplementRows,
    double ComplementLoss,
    double GroupRate,
    double ComplementRate,
    string Test,
    double Statistic,
    double PValue,
    double Level,
    double IntervalLower,
    double IntervalUpper,
    bool Verified,
    IReadOnlyList<string> Reasons)
{
    public double Difference => GroupRate - ComplementRate;

    public double Ratio => ComplementRate > 0 ? GroupRate / ComplementRate : double.PositiveInfinity;
}

/// <summary>Claim 2 on the confirmation part: the fix beats the current model on g, materially for everyone.</summary>
public sealed record FixResult(
    string ModelId,
    int GroupRows,
    int CurrentWrongFixRight,
    int CurrentRightFixWrong,
    double Delta,
    double GroupShare,
    string Test,
    double Statistic,
    double PValue,
    double Level,
    bool Verified,
    IReadOnlyList<string> Reasons,
    int? NewVersion,
    IReadOnlyList<string> Repairs)
{
    /// <summary>μ(g)·Δ_g: the overall gain of the update.</summary>
    public double OverallGain => GroupShare * Delta;
}

/// <summary>Where a score came from, so it can be reproduced.</summary>
public sealed record Provenance(
    string HoldoutHash,
    int ModelVersion,
    string EngineVersion,
    int SplitSeed,
    string NoiseSeed,
    double FindingLevelBefore,
    double FixLevelBefore);

/// <summary>Released numbers from the feedback part: noisy, rounded counts and the rates derived from them.</summary>
public sealed record FeedbackNumbers(
    long? GroupRows,
    long? GroupErrors,
    long? ComplementRows,
    long? ComplementErrors,
    double GroupErrorPercent,
    double ComplementErrorPercent,
    long? FixGroupErrors,
    double? FixGroupErrorPercent);

/// <summary>What the participant sees (docs/scoring-rules.md): verdicts and bands from D_cf, noisy numbers from D_fb.</summary>
public sealed record ReleasedView(
    string SubmissionId,
    ScoreStatus Status,
    string Summary,
    bool? FindingVerified,
    PValueBand? FindingPBand,
    EffectBand? FindingEffect,
    bool? FixVerified,
    PValueBand? FixPBand,
    EffectBand? FixEffect,
    FeedbackNumbers? Feedback,
    double Points,
    string? DuplicateOf);
