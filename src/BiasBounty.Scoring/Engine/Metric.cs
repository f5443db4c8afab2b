using System.Text.Json.Serialization;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Engine;

/// <summary>The per-row loss a competition (and each submission) is judged by; every loss lies in [0, 1].</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Metric>))]
public enum Metric
{
    /// <summary>0/1 classification error on every row.</summary>
    Error,

    /// <summary>0/1 loss on rows whose label is negative (false-positive rate).</summary>
    Fpr,

    /// <summary>0/1 loss on rows whose label is positive (false-negative rate).</summary>
    Fnr,

    /// <summary>Squared error, clipped at the competition's loss cap and scaled by it.</summary>
    Squared,

    /// <summary>The organizer's per-row error count and size (e.g. word errors / reference words); findings only.</summary>
    LossColumn,

    /// <summary>Word error rate: the organizer's per-row word errors over reference words, ΣE/ΣN; findings only.</summary>
    Wer,

    /// <summary>Character error rate: per-row character errors over reference characters, ΣE/ΣN; findings only.</summary>
    Cer,
}

/// <summary>The definitions of the metrics, and the operations on a <see cref="Metric"/> that read them.</summary>
public static class Metrics
{
    /// <summary>
    /// The one place a metric is defined. No discard arm: a new <see cref="Metric"/> member without a definition does
    /// not compile (CS8509); an unnamed value throws.
    /// </summary>
    private static MetricDefinition Define(Metric metric) => metric switch
    {
        Metric.Error => new()
        {
            Metric = metric, Name = "error", Label = "Error", Noun = "error", WizardText = "error (misclassification rate)",
            Task = TaskKind.Classification, Eligible = EligibleRows.All, RowLoss = RowLoss.ZeroOne,
            FindingTest = FindingTest.TwoProportions, FixTest = FixTest.ExactMcNemar,
        },
        Metric.Fpr => new()
        {
            Metric = metric, Name = "fpr", Label = "False-positive rate", Noun = "fpr", WizardText = "fpr (false-positive rate)",
            Task = TaskKind.Classification, Eligible = EligibleRows.NegativeLabels, RowLoss = RowLoss.ZeroOne,
            FindingTest = FindingTest.TwoProportions, FixTest = FixTest.ExactMcNemar,
        },
        Metric.Fnr => new()
        {
            Metric = metric, Name = "fnr", Label = "False-negative rate", Noun = "fnr", WizardText = "fnr (false-negative rate)",
            Task = TaskKind.Classification, Eligible = EligibleRows.PositiveLabels, RowLoss = RowLoss.ZeroOne,
            FindingTest = FindingTest.TwoProportions, FixTest = FixTest.ExactMcNemar,
        },
        Metric.Squared => new()
        {
            Metric = metric, Name = "squared", Label = "Scaled squared error", Noun = "squared error", WizardText = "squared (regression)",
            Task = TaskKind.Regression, Eligible = EligibleRows.All, RowLoss = RowLoss.ScaledSquared,
            FindingTest = FindingTest.WelchT, FixTest = FixTest.PairedT,
        },
        // Not offered in the organizer wizard: an evaluation table there counts words (wer) or characters (cer).
        Metric.LossColumn => new()
        {
            Metric = metric, Name = "lossColumn", Label = "Loss", Noun = "lossColumn", WizardText = null,
            Task = null, Eligible = EligibleRows.All, RowLoss = RowLoss.OrganizerColumns,
            FindingTest = FindingTest.RatioDeltaMethod, FixTest = FixTest.None,
        },
        // Evaluation tables of a speech recogniser: word or character errors per utterance and the reference's length.
        Metric.Wer => new()
        {
            Metric = metric, Name = "wer", Label = "Word error rate", Noun = "word error rate", WizardText = "wer (word error rate)",
            Task = null, Eligible = EligibleRows.All, RowLoss = RowLoss.OrganizerColumns,
            FindingTest = FindingTest.RatioDeltaMethod, FixTest = FixTest.None,
        },
        Metric.Cer => new()
        {
            Metric = metric, Name = "cer", Label = "Character error rate", Noun = "character error rate", WizardText = "cer (character error rate)",
            Task = null, Eligible = EligibleRows.All, RowLoss = RowLoss.OrganizerColumns,
            FindingTest = FindingTest.RatioDeltaMethod, FixTest = FixTest.None,
        },
    };

    private static readonly MetricDefinition[] Definitions = Enum.GetValues<Metric>().Select(Define).ToArray();

    /// <summary>Every metric's definition, in the enum's order.</summary>
    public static IReadOnlyList<MetricDefinition> All => Definitions;

    /// <summary>
    /// The metrics an organizer can choose in the wizard, in the order it lists them: those that score a model's
    /// predictions for a model competition, wer and cer for an evaluation table.
    /// </summary>
    public static IReadOnlyList<MetricDefinition> InWizard { get; } = Definitions.Where(d => d.WizardText is not null).ToArray();

    /// <summary>The definition of <paramref name="metric"/>; read on every row of a loss pass, so an array look-up.</summary>
    public static MetricDefinition Definition(this Metric metric) =>
        (uint)metric < (uint)Definitions.Length && Definitions[(int)metric].Metric == metric
            ? Definitions[(int)metric]
            : throw new ArgumentOutOfRangeException(nameof(metric), metric, "not a defined metric");

    /// <summary>The spelling used on the command line and in JSON: error, fpr, fnr, squared, lossColumn.</summary>
    public static string Name(this Metric metric) => metric.Definition().Name;

    public static Metric Parse(string text) =>
        Definitions.FirstOrDefault(d => string.Equals(d.Name, text, StringComparison.OrdinalIgnoreCase))?.Metric
            ?? throw new ScoringInputException($"unknown metric '{text}'; metrics are {string.Join(", ", Definitions.Select(d => d.Name))}");

    /// <summary>The metric a dataset is scored by when none is named (the command line's default).</summary>
    public static Metric DefaultFor(TaskKind task) => task switch
    {
        TaskKind.Classification => Metric.Error,
        TaskKind.Regression => Metric.Squared,
    };

    /// <summary>How messages name a kind of label.</summary>
    internal static string LabelKind(TaskKind task) => task switch
    {
        TaskKind.Classification => "classification",
        TaskKind.Regression => "regression",
    };

    /// <summary>Whether a metric can score a dataset with this task; says why not otherwise.</summary>
    public static string? Incompatibility(this Metric metric, TaskKind task, bool hasLossColumns) =>
        metric.Definition().Incompatibility(task, hasLossColumns);

    /// <summary>
    /// Rows on which the metric is defined: all rows for error and squared, negatives for fpr, positives for fnr.
    /// </summary>
    public static RowSet Eligible(this Metric metric, float[] y)
    {
        var definition = metric.Definition();
        return definition.Eligible == EligibleRows.All ? RowSet.All(y.Length) : RowSet.FromPredicate(y.Length, i => definition.IsEligible(y[i]));
    }

    /// <summary>Loss of one prediction; ineligible rows are never asked.</summary>
    public static float Loss(this Metric metric, float label, float prediction, float lossCap) =>
        metric.Definition().Loss(label, prediction, lossCap);

    /// <summary>Per-row losses of predictions for every row (ineligible rows get 0).</summary>
    public static float[] Losses(this Metric metric, float[] y, float[] predictions, float lossCap)
    {
        if (y.Length != predictions.Length)
            throw new ArgumentException($"{predictions.Length} predictions for {y.Length} labels", nameof(predictions));
        var definition = metric.Definition();
        var losses = new float[y.Length];
        for (var i = 0; i < y.Length; i++)
            losses[i] = definition.IsEligible(y[i]) ? definition.Loss(y[i], predictions[i], lossCap) : 0f;
        return losses;
    }
}
