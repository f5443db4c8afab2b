using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Engine;

/// <summary>The holdout rows a metric is defined on.</summary>
public enum EligibleRows
{
    All,

    /// <summary>Rows whose label is 0 (false-positive rate).</summary>
    NegativeLabels,

    /// <summary>Rows whose label is 1 (false-negative rate).</summary>
    PositiveLabels,
}

/// <summary>What one row's loss is.</summary>
public enum RowLoss
{
    /// <summary>0 when the prediction equals the label, else 1.</summary>
    ZeroOne,

    /// <summary>Squared error clipped at the competition's loss cap and divided by it; an invalid prediction costs 1.</summary>
    ScaledSquared,

    /// <summary>The organizer's error and size columns (E_i, N_i); predictions have no loss of their own.</summary>
    OrganizerColumns,
}

/// <summary>How claim 1 (a finding) is tested (docs/scoring-rules.md).</summary>
public enum FindingTest
{
    /// <summary>Four counts: one-sided Fisher exact when any cell is under 10, else the pooled two-proportion z; Newcombe interval.</summary>
    TwoProportions,

    /// <summary>Welch's t on the group's and the rest's per-row losses.</summary>
    WelchT,

    /// <summary>The delta-method z on the ratios ΣE/ΣN of the group and the rest.</summary>
    RatioDeltaMethod,
}

/// <summary>How claim 2 (a fix) is tested (docs/scoring-rules.md), or that the metric takes no fix.</summary>
public enum FixTest
{
    /// <summary>Findings only: a fix is refused.</summary>
    None,

    /// <summary>Exact one-sided McNemar on the discordant pairs.</summary>
    ExactMcNemar,

    /// <summary>Paired t on the per-row loss differences.</summary>
    PairedT,
}

/// <summary>
/// Everything that sets one metric apart, in one place (see <see cref="Metrics.Definition"/>): the scorer, the loss
/// cache, the command line and the platform read it from here instead of testing for particular metrics.
/// </summary>
public sealed record MetricDefinition
{
    public required Metric Metric { get; init; }

    /// <summary>The spelling used on the command line, in the API and in JSON: error, fpr, fnr, squared, lossColumn.</summary>
    public required string Name { get; init; }

    /// <summary>How the leaderboard words it, e.g. "False-positive rate".</summary>
    public required string Label { get; init; }

    /// <summary>How the engine's messages name it in a sentence, e.g. "squared error".</summary>
    public required string Noun { get; init; }

    /// <summary>The organizer wizard's choice text; null when organizers cannot create such a competition there.</summary>
    public required string? WizardText { get; init; }

    /// <summary>The labels it scores; null for any label, when the loss comes from the organizer's columns.</summary>
    public required TaskKind? Task { get; init; }

    public required EligibleRows Eligible { get; init; }

    public required RowLoss RowLoss { get; init; }

    public required FindingTest FindingTest { get; init; }

    public required FixTest FixTest { get; init; }

    /// <summary>Whether a submission may carry a fix model on this metric.</summary>
    public bool AllowsFix => FixTest != FixTest.None;

    /// <summary>Whether losses take only the values 0 and 1 (so exact tests on counts apply).</summary>
    public bool IsZeroOne => RowLoss == RowLoss.ZeroOne;

    /// <summary>Whether a model's predictions have a loss under this metric (not so for the organizer's columns).</summary>
    public bool ScoresPredictions => RowLoss != RowLoss.OrganizerColumns;

    /// <summary>
    /// The metrics a finding may declare in a competition judged by this one: itself first, then every other metric
    /// on the same labels with the same kind of loss (on classification: error, fpr and fnr), since the model's
    /// predictions give their losses too. Fixes stay on the competition's metric.
    /// </summary>
    public IReadOnlyList<Metric> FindingMetrics =>
        [Metric, .. Metrics.All.Where(d => d.Metric != Metric && Task is not null && d.Task == Task && d.RowLoss == RowLoss).Select(d => d.Metric)];

    /// <summary>Whether a row with this label is one the metric is defined on.</summary>
    public bool IsEligible(float label) => Eligible switch
    {
        EligibleRows.All => true,
        EligibleRows.NegativeLabels => label == 0f,
        EligibleRows.PositiveLabels => label == 1f,
    };

    /// <summary>Loss of one prediction, in [0, 1]; ineligible rows are never asked.</summary>
    public float Loss(float label, float prediction, float lossCap) => RowLoss switch
    {
        RowLoss.ZeroOne => label == prediction ? 0f : 1f,
        // An invalid (NaN) prediction costs the most a row can cost.
        RowLoss.ScaledSquared => float.IsFinite(prediction) ? Math.Min((prediction - label) * (prediction - label), lossCap) / lossCap : 1f,
        RowLoss.OrganizerColumns => throw new InvalidOperationException($"{Name} has no per-prediction loss"),
    };

    /// <summary>Whether the metric can score a dataset with this task; says why not otherwise.</summary>
    public string? Incompatibility(TaskKind task, bool hasLossColumns)
    {
        if (RowLoss == RowLoss.OrganizerColumns)
            return hasLossColumns ? null : $"the {Noun} metric needs the organizer's error and size columns";
        if (Task is not { } own || own == task) return null;
        var alternatives = Metrics.All.Where(d => d.Task == task).Select(d => d.Name).ToArray();
        var choices = alternatives.Length == 1 ? alternatives[0] : $"{string.Join(", ", alternatives[..^1])} or {alternatives[^1]}";
        return $"{Noun} is for {Metrics.LabelKind(own)} labels; use {choices}";
    }
}
