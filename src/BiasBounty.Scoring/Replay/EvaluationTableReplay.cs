using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Discovery;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Scoring.Text;

namespace BiasBounty.Scoring.Replay;

/// <summary>
/// What the replay of a deployer's own evaluation table needs: their table read with the competition's schema
/// (<see cref="EvaluationTableReplay.Read"/>: feature columns, the cluster column, the loss columns), the metric, the
/// system version the table is compared with and that version's holdout.
/// </summary>
/// <param name="SystemVersion">The competition's newest published system version: the one the holdout comparison reads.</param>
/// <param name="Holdout">That version's holdout (loss columns, clusters); null: every significant gap counts as one the holdout did not show.</param>
public sealed record EvaluationReplayRequest(
    Dataset Data, Metric Metric, int SystemVersion, IReadOnlyList<string> Groups, IReadOnlyList<string> ProtectedColumns, Holdout? Holdout)
{
    /// <summary>Family-wise error rate of the gap tests on the deployer's rows (Holm), as a model replay's.</summary>
    public double Alpha { get; init; } = 0.025;

    /// <summary>Values per protected column (the most frequent); the rest are not measured.</summary>
    public int MaxValuesPerColumn { get; init; } = 20;
}

/// <summary>
/// The replay of a deployer's own evaluation table (issue 13, "or, for an evaluation-table competition, their own
/// evaluation table"): the system's error rate ΣE/ΣN (word error rate, …) on the deployer's items, overall and on every
/// finding's group and every value and pair of values of the protected columns, each with its 95 % interval and size.
/// Utterances of one speaker are not independent: where the competition has a cluster column, intervals and gap tests
/// are cluster-robust (<see cref="ClusteredRatioEstimator"/>, t with clusters − 1 degrees of freedom), as the finding
/// test is; without one every row is its own cluster (the per-row delta method). A group's gap is tested one-sided
/// against the rest, Holm over the groups at <see cref="EvaluationReplayRequest.Alpha"/>, and flagged as a last-mile
/// gap when the holdout (all its rows, the same test, unadjusted) does not show it. The automatic group search is not
/// run: its statistics count right-or-wrong rows that are independent, and a ratio over clustered rows is neither.
/// </summary>
public static class EvaluationTableReplay
{
    /// <summary>Why the report has no discovery section, in a sentence for the deployer.</summary>
    public const string DiscoveryNote =
        "The automatic search is not run on an evaluation table: it counts right-or-wrong rows that are independent of each other, while an error rate here is a ratio of counts over items whose speakers are not independent. Paste your own groups into a finding, or mark more protected columns.";

    /// <summary>
    /// Reads a deployer's evaluation table with the competition's schema: every feature column, the cluster column when
    /// the competition has one, and either the two loss columns or the reference and hypothesis transcripts (errors are
    /// then counted as the competition counts them). Columns the competition's table does not have are refused. The
    /// result has the feature columns, the cluster column and the loss columns, with the schema naming them.
    /// </summary>
    /// <param name="upload">The deployer's rows, read with a header line (messages count it as line 1), features of the competition's kinds.</param>
    /// <param name="schema">The competition's schema (features, loss columns, cluster column).</param>
    /// <exception cref="ScoringInputException">A column is missing or unknown, a loss value or a cluster is missing or invalid (line and column named).</exception>
    public static Dataset Read(Dataset upload, DatasetSchema schema, EvaluationVersion.Transcripts transcripts, string source)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(transcripts);
        if (schema.LossErrorsColumn is not { } errorsName || schema.LossSizeColumn is not { } sizeName)
            throw new ScoringInputException("this competition's table has no loss columns, so an evaluation table cannot be replayed");
        var known = schema.Columns.Select(c => c.Name).Concat([errorsName, sizeName, transcripts.Reference, transcripts.Hypothesis]).ToHashSet(StringComparer.Ordinal);
        var unknown = upload.Columns.Select(c => c.Name).Where(n => !known.Contains(n)).ToArray();
        var required = schema.Features.Select(f => f.Name).Concat(schema.ClusterColumn is { } c ? [c] : []).ToArray();
        var missing = required.Where(n => !upload.TryGetColumn(n, out _)).ToArray();
        if (missing.Length > 0 || unknown.Length > 0)
        {
            var problems = new List<string>();
            if (missing.Length > 0) problems.Add($"{source} lacks {Names(missing)}");
            if (unknown.Length > 0) problems.Add($"has {Names(unknown)}, which the competition's table does not");
            throw new ScoringInputException(string.Join(" and ", problems) +
                $"; an evaluation table for this competition has the columns {Names(required)}, and '{errorsName}' and '{sizeName}' or the transcripts '{transcripts.Reference}' and '{transcripts.Hypothesis}'");
        }
        var (errors, sizes) = EvaluationVersion.Losses(upload, errorsName, sizeName, source, transcripts);
        if (schema.ClusterColumn is { } clusterName)
        {
            var clusters = upload[clusterName];
            for (var row = 0; row < clusters.Length; row++)
                if (clusters.IsMissing(row) || string.IsNullOrWhiteSpace(clusters.FormatValue(row)))
                    throw new ScoringInputException($"{source}, line {row + 2}, column '{clusterName}': the {clusterName} is missing; every row needs one (its rows are not independent of each other's)");
        }
        var none = new RowSet(upload.RowCount);
        var columns = required.Select(n => upload[n])
            .Concat([new NumericColumn(errorsName, errors, none), new NumericColumn(sizeName, sizes, none)]).ToArray();
        var specs = required.Select(n => schema.Find(n)! with { Kind = upload[n] is NumericColumn ? ColumnKind.Numeric : ColumnKind.Categorical })
            .Concat([new ColumnSpec(errorsName, ColumnKind.Numeric, ColumnRole.Loss), new ColumnSpec(sizeName, ColumnKind.Numeric, ColumnRole.Loss)]).ToArray();
        return new Dataset(new DatasetSchema(specs, LossErrorsColumn: errorsName, LossSizeColumn: sizeName, ClusterColumn: schema.ClusterColumn), columns);
    }

    /// <summary>Runs the replay; <paramref name="progress"/> gets the share done (0 to 1).</summary>
    /// <exception cref="ScoringInputException">The metric does not read loss columns, or the data has none, or no item has words.</exception>
    public static ReplayReport Run(EvaluationReplayRequest request, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = request.Metric.Definition();
        if (definition.RowLoss != RowLoss.OrganizerColumns)
            throw new ScoringInputException($"the {definition.Noun} metric scores a model's predictions; replay the model on your rows instead");
        var data = request.Data;
        if (data.Schema.LossErrorsColumn is not { } errorsName || data.Schema.LossSizeColumn is not { } sizeName)
            throw new ScoringInputException("the table has no loss columns");
        var e = ((NumericColumn)data[errorsName]).Values;
        var n = ((NumericColumn)data[sizeName]).Values;
        var clusters = data.Schema.ClusterColumn is { } clusterName ? Holdout.ClusterIds(data, clusterName) : null;
        var all = RowSet.All(data.RowCount);
        if (data.RowCount == 0 || !(n.Sum() > 0)) throw new ScoringInputException("your table has no items with words to count errors on");
        var schema = ExpressionSchema.Of(data.Schema);

        var groups = new List<(ReplayGroup Group, RowSet Rows, RowSet? HoldoutRows)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string expression, ReplayGroupSource source)
        {
            try
            {
                var parsed = SubgroupExpression.Parse(expression);
                var canonical = parsed.ToCanonicalString();
                if (!seen.Add(canonical)) return;
                var rows = parsed.Bind(schema).Evaluate(data);
                RowSet? holdoutRows = null;
                if (request.Holdout is { } holdout)
                {
                    try
                    {
                        holdoutRows = parsed.Bind(ExpressionSchema.Of(holdout.Data.Schema)).Evaluate(holdout.Data);
                    }
                    catch (ExpressionException)
                    {
                        holdoutRows = null;
                    }
                }
                groups.Add((new ReplayGroup(canonical, source), rows, holdoutRows));
            }
            catch (ExpressionException)
            {
                // a finding on a column the deployer's table lacks cannot be measured here
            }
        }
        foreach (var (expression, source) in ReplayReport.Candidates(data, request.Groups, request.ProtectedColumns, request.MaxValuesPerColumn))
            Add(expression, source);
        progress?.Report(0.2);

        var measured = new List<GroupError>();
        for (var i = 0; i < groups.Count; i++)
        {
            var (group, rows, holdoutRows) = groups[i];
            if (Measure(group, rows, e, n, clusters) is { } result)
            {
                bool? onHoldout = null;
                if (request.Holdout is { LossErrors: { } he, LossSizes: { } hn } holdout && holdoutRows is not null)
                    onHoldout = Gap(he, hn, holdout.Clusters, holdoutRows, RowSet.All(holdout.RowCount)) is { } gap && gap.PValue <= request.Alpha && gap.GroupRatio > gap.ComplementRatio;
                measured.Add(result with { GapOnHoldout = onHoldout });
            }
            progress?.Report(0.2 + 0.7 * (i + 1) / groups.Count);
        }
        var adjusted = GroupSearch.Holm(measured.Select(m => m.PValue).ToArray());
        for (var i = 0; i < measured.Count; i++)
        {
            var significant = adjusted[i] <= request.Alpha && measured[i].Error > measured[i].RestError;
            measured[i] = measured[i] with { AdjustedPValue = adjusted[i], SignificantGap = significant, LastMile = significant && measured[i].GapOnHoldout != true };
        }

        var (ratio, interval, clusterCount) = ClusteredRatioEstimator.Ratio(e, n, clusters, all);
        var version = new VersionReplay(request.SystemVersion, data.RowCount, ratio, interval?.Lower ?? 0, interval?.Upper ?? ratio, measured)
        {
            Clusters = clusters is null ? null : clusterCount,
        };
        var flags = measured.Where(g => g.LastMile).Select(g => new ReplayFlag(ReplayFlagKind.LastMileGap, request.SystemVersion, g.Expression,
            $"On your table the {definition.Noun} is {Percent(g.Error)} in {g.Expression} ({g.Rows} items{Speakers(g.Clusters, data.Schema.ClusterColumn)}) against {Percent(g.RestError)} elsewhere — a significant gap that the competition's holdout did not show.")).ToArray();
        progress?.Report(1);
        return new ReplayReport(request.Metric.Name(), data.RowCount, data.RowCount, [version], flags, [], DiscoveryNote)
        {
            ClusterColumn = data.Schema.ClusterColumn,
        };
    }

    /// <summary>A group's rate, interval and gap test; null when it has fewer than <see cref="ReplayReport.MinGroupRows"/> items, no words, no rest, or (clustered) fewer than two clusters.</summary>
    private static GroupError? Measure(ReplayGroup group, RowSet members, float[] e, float[] n, int[]? clusters)
    {
        var inside = members;
        var outside = members.Not();
        var count = inside.Count();
        if (count < ReplayReport.MinGroupRows || outside.Count() == 0 || !(Sum(n, inside) > 0) || !(Sum(n, outside) > 0)) return null;
        var (ratio, interval, clusterCount) = ClusteredRatioEstimator.Ratio(e, n, clusters, inside);
        if (interval is not { } bounds) return null;
        var gap = Gap(e, n, clusters, inside, RowSet.All(e.Length))!.Value;
        var p = double.IsNaN(gap.PValue) ? 1 : gap.PValue;
        return new GroupError(group.Expression, group.Source, count, ratio, bounds.Lower, bounds.Upper, gap.ComplementRatio, p, p, false, null, false)
        {
            Clusters = clusters is null ? null : clusterCount,
        };
    }

    /// <summary>The one-sided test of "the rate is higher in the group than in the rest of <paramref name="rows"/>", cluster-robust (singleton clusters without a cluster column); null when a side is empty.</summary>
    private static ClusteredRatioResult? Gap(float[] e, float[] n, int[]? clusters, RowSet members, RowSet rows)
    {
        var inside = members.And(rows);
        var outside = members.Not().And(rows);
        if (inside.Count() == 0 || outside.Count() == 0 || !(Sum(n, inside) > 0) || !(Sum(n, outside) > 0)) return null;
        var ids = clusters ?? Enumerable.Range(0, e.Length).ToArray();
        return ClusteredRatioEstimator.OneSidedGreater(e, n, ids, rows.ToIndices(), row => members.Contains(row));
    }

    private static double Sum(float[] values, RowSet rows) => rows.ToIndices().Sum(i => (double)values[i]);

    private static string Percent(double value) => $"{value * 100:0.0} %";

    private static string Speakers(int? clusters, string? column) => clusters is { } k && column is not null ? $", {k} {column} values" : "";

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
