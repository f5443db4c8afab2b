using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Engine;

/// <summary>A group a model report breaks the loss down by: its expression (as participants write it) and its columns.</summary>
public sealed record ReportGroup(string Expression, IReadOnlyList<string> Columns);

/// <summary>
/// The loss of one model on one group's eligible rows, with a 95 % confidence interval: Wilson's for a 0/1 loss (an
/// error rate is a proportion), Student's t for a mean loss in [0, 1] (clamped to it).
/// </summary>
public sealed record GroupLoss(int Rows, double Loss, Interval Interval)
{
    /// <summary>The 95 % confidence level of <see cref="Interval"/>.</summary>
    public const double Confidence = 0.95;
}

/// <summary>
/// The per-group analysis of a model report (the platform's service card): the groups come from the <b>public</b> data
/// card only (every value of each categorical feature, and every pair of values of two categorical features with few
/// values), so listing them says nothing about the holdout; the losses are measured on holdout rows the caller chooses.
/// </summary>
public static class GroupBreakdown
{
    /// <summary>A categorical feature with more values than this is not broken down by value.</summary>
    public const int MaxValuesPerColumn = 20;

    /// <summary>Intersections are formed only of categorical features with at most this many values (and "missing").</summary>
    public const int MaxValuesPerPairColumn = 8;

    /// <summary>At most this many groups (single values first, then pairs in column order): a report stays readable and quick to measure.</summary>
    public const int MaxGroups = 2_000;

    /// <summary>
    /// The groups of <paramref name="card"/>'s categorical features: each value (and "is missing" where the public data
    /// has missing values), then each pair of values of two features with few values, in column order; at most
    /// <see cref="MaxGroups"/>.
    /// </summary>
    public static IReadOnlyList<ReportGroup> Groups(DataCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var categorical = card.Features
            .Where(f => f.Kind == ColumnKind.Categorical && f.Values is { Count: > 0 } && f.Values.Count <= MaxValuesPerColumn)
            .Select(f => (f.Name, Conditions: Conditions(f).ToArray()))
            .ToArray();
        var groups = new List<ReportGroup>();
        foreach (var (name, conditions) in categorical)
            groups.AddRange(conditions.Select(c => new ReportGroup(c, [name])));
        var few = categorical.Where(c => c.Conditions.Length <= MaxValuesPerPairColumn + 1).ToArray();
        for (var i = 0; i < few.Length; i++)
            for (var j = i + 1; j < few.Length; j++)
                foreach (var a in few[i].Conditions)
                    foreach (var b in few[j].Conditions)
                        groups.Add(new ReportGroup($"{a} and {b}", [few[i].Name, few[j].Name]));
        return groups.Take(MaxGroups).ToArray();
    }

    /// <summary>The columns a report cannot break down by value: numeric ones and categorical ones with many values.</summary>
    public static IReadOnlyList<string> NotBrokenDown(DataCard card) =>
        card.Features.Where(f => f.Kind != ColumnKind.Categorical || f.Values is not { Count: > 0 } || f.Values.Count > MaxValuesPerColumn)
            .Select(f => f.Name).ToArray();

    private static IEnumerable<string> Conditions(DataCardColumn column)
    {
        var name = CanonicalText.Column(column.Name);
        foreach (var value in column.Values!) yield return $"{name} == {CanonicalText.String(value)}";
        if (column.MissingCount > 0) yield return $"{name} is missing";
    }

    /// <summary>
    /// The loss of <paramref name="predictions"/> (one per row of <paramref name="y"/>) on the rows of
    /// <paramref name="rows"/> that <paramref name="metric"/> is defined on; null when the metric has no per-prediction
    /// loss or there are fewer than <paramref name="minRows"/> such rows (a group too small to report).
    /// </summary>
    public static GroupLoss? Measure(float[] y, RowSet rows, float[] predictions, Metric metric, float lossCap, int minRows)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(predictions);
        var definition = metric.Definition();
        if (!definition.ScoresPredictions) return null;
        var eligible = rows.ToIndices().Where(i => definition.IsEligible(y[i])).ToArray();
        if (eligible.Length < Math.Max(1, minRows)) return null;
        var losses = eligible.Select(i => definition.Loss(y[i], predictions[i], lossCap)).ToArray();
        if (definition.IsZeroOne)
        {
            var errors = losses.Count(l => l != 0f);
            return new GroupLoss(eligible.Length, (double)errors / eligible.Length, Proportions.Wilson(errors, eligible.Length, GroupLoss.Confidence));
        }
        var summary = SampleSummary.Of(losses);
        var half = eligible.Length < 2 ? double.PositiveInfinity
            : StatisticsHelpers.TwoSidedStudentQuantile(GroupLoss.Confidence, eligible.Length - 1) * Math.Sqrt(summary.Variance / eligible.Length);
        return new GroupLoss(eligible.Length, summary.Mean, new Interval(Math.Max(0, summary.Mean - half), Math.Min(1, summary.Mean + half)));
    }
}
