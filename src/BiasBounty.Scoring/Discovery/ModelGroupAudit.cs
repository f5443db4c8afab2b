using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;

namespace BiasBounty.Scoring.Discovery;

/// <summary>
/// <see cref="GroupSearch"/> on a model's predictions under a competition's metric: the organizer's pre-flight audit
/// in the create-competition wizard (issue 13). Only a metric with a 0/1 loss per row fits the search (error, fpr, fnr:
/// the rows the metric counts, erring or not); a squared loss or an evaluation table's error counts do not.
/// </summary>
public static class ModelGroupAudit
{
    /// <summary>Rows × feature columns above which an interactive audit searches two conditions instead of three.</summary>
    public const long LargeCells = 500_000;

    /// <summary>Whether the search fits <paramref name="metric"/>: a 0/1 loss per row of a model's predictions.</summary>
    public static bool Supports(Metric metric) => metric.Definition() is { IsZeroOne: true, ScoresPredictions: true };

    /// <summary>
    /// Settings for an audit a person waits for: three conditions on small data, two on large; at most half of the cores,
    /// so that the audit does not starve the rest of the server.
    /// </summary>
    public static GroupSearchOptions BoundedOptions(Dataset data) => new()
    {
        MaxConditions = (long)data.RowCount * data.Schema.Features.Count > LargeCells ? 2 : 3,
        MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / 2),
    };

    /// <summary>Searches the rows <paramref name="metric"/> counts for groups where the model errs more than on the rest.</summary>
    /// <param name="data">The rows with their feature columns (public data only: never a holdout).</param>
    /// <param name="y">The encoded labels of <paramref name="data"/>.</param>
    /// <param name="predictions">The model's encoded predictions of <paramref name="data"/>.</param>
    /// <exception cref="ArgumentException">The metric has no 0/1 loss per row (<see cref="Supports"/> is false).</exception>
    public static GroupSearchResult Run(Dataset data, float[] y, float[] predictions, Metric metric, GroupSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Supports(metric)) throw new ArgumentException($"{metric.Name()} has no 0/1 loss per row to search", nameof(metric));
        if (y.Length != data.RowCount || predictions.Length != data.RowCount) throw new ArgumentException("one label and one prediction per row are needed");
        var definition = metric.Definition();
        var eligible = metric.Eligible(y).ToIndices();
        var rows = eligible.Length == data.RowCount ? data : data.SelectRows(eligible);
        var errors = RowSet.FromPredicate(rows.RowCount, i => definition.Loss(y[eligible[i]], predictions[eligible[i]], 1f) > 0);
        return GroupSearch.Run(rows, errors, options);
    }
}
