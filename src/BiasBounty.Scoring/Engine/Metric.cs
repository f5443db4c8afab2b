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
}

public static class Metrics
{
    /// <summary>The spelling used on the command line and in JSON: error, fpr, fnr, squared, lossColumn.</summary>
    public static string Name(this Metric metric) => metric switch
    {
        Metric.Error => "error",
        Metric.Fpr => "fpr",
        Metric.Fnr => "fnr",
        Metric.Squared => "squared",
        Metric.LossColumn => "lossColumn",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    public static Metric Parse(string text)
    {
        foreach (var metric in Enum.GetValues<Metric>())
            if (string.Equals(metric.Name(), text, StringComparison.OrdinalIgnoreCase)) return metric;
        throw new ScoringInputException($"unknown metric '{text}'; metrics are {string.Join(", ", Enum.GetValues<Metric>().Select(x => x.Name()))}");
    }

    /// <summary>Whether a metric can score a dataset with this task; says why not otherwise.</summary>
    public static string? Incompatibility(this Metric metric, TaskKind task, bool hasLossColumns) => (metric, task) switch
    {
        (Metric.LossColumn, _) when !hasLossColumns => "the lossColumn metric needs the organizer's error and size columns",
        (Metric.LossColumn, _) => null,
        (Metric.Squared, TaskKind.Classification) => "squared error is for regression labels; use error, fpr or fnr",
        (Metric.Error or Metric.Fpr or Metric.Fnr, TaskKind.Regression) => $"{metric.Name()} is for classification labels; use squared",
        _ => null,
    };

    /// <summary>
    /// Rows on which the metric is defined: all rows for error and squared, negatives for fpr, positives for fnr.
    /// </summary>
    public static RowSet Eligible(this Metric metric, float[] y) => metric switch
    {
        Metric.Fpr => RowSet.FromPredicate(y.Length, i => y[i] == 0f),
        Metric.Fnr => RowSet.FromPredicate(y.Length, i => y[i] == 1f),
        _ => RowSet.All(y.Length),
    };

    /// <summary>Loss of one prediction; ineligible rows are never asked.</summary>
    public static float Loss(this Metric metric, float label, float prediction, float lossCap) => metric switch
    {
        Metric.Error or Metric.Fpr or Metric.Fnr => label == prediction ? 0f : 1f,
        // An invalid (NaN) prediction costs the most a row can cost.
        Metric.Squared => float.IsFinite(prediction) ? Math.Min((prediction - label) * (prediction - label), lossCap) / lossCap : 1f,
        _ => throw new InvalidOperationException($"{metric.Name()} has no per-prediction loss"),
    };

    /// <summary>Per-row losses of predictions for every row (ineligible rows get 0).</summary>
    public static float[] Losses(this Metric metric, float[] y, float[] predictions, float lossCap)
    {
        if (y.Length != predictions.Length)
            throw new ArgumentException($"{predictions.Length} predictions for {y.Length} labels", nameof(predictions));
        var losses = new float[y.Length];
        for (var i = 0; i < y.Length; i++)
        {
            var eligible = metric switch { Metric.Fpr => y[i] == 0f, Metric.Fnr => y[i] == 1f, _ => true };
            losses[i] = eligible ? metric.Loss(y[i], predictions[i], lossCap) : 0f;
        }
        return losses;
    }

    /// <summary>Whether losses take only the values 0 and 1 (so exact tests on counts apply).</summary>
    public static bool IsZeroOne(this Metric metric) => metric is Metric.Error or Metric.Fpr or Metric.Fnr;
}
