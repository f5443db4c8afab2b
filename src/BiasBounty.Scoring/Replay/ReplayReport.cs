using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Discovery;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Replay;

/// <summary>Where a group of a replay report comes from.</summary>
public enum ReplayGroupSource
{
    /// <summary>A verified or disclosed finding of the competition.</summary>
    Finding,

    /// <summary>One value of a column the organizer marked as protected.</summary>
    Protected,

    /// <summary>A pair of values of two protected columns.</summary>
    ProtectedPair,

    /// <summary>The group of an accepted fix (checked for "does the fix help here").</summary>
    Fix,
}

/// <summary>A group to measure: its expression and where it comes from.</summary>
public sealed record ReplayGroup(string Expression, ReplayGroupSource Source);

/// <summary>What a replay needs: the deployer's rows (read with the competition's schema) and the competition's model.</summary>
/// <param name="Data">The deployer's rows, with the competition's schema (label included).</param>
/// <param name="Metric">The competition's metric; its eligible rows and per-row loss are used.</param>
/// <param name="LossCap">The competition's loss cap (squared loss).</param>
/// <param name="List">The published decision list; versions 0 … current are replayed.</param>
/// <param name="Catalog">The models the list references.</param>
/// <param name="Groups">Verified or disclosed findings' expressions; protected-column groups are added from <paramref name="ProtectedColumns"/>.</param>
/// <param name="ProtectedColumns">Columns whose values, and pairs of values, are measured.</param>
/// <param name="Holdout">The competition's holdout, to tell a last-mile gap from one the holdout shows too; null: every significant gap is reported as one the holdout did not show.</param>
public sealed record ReplayRequest(
    Dataset Data, Metric Metric, float LossCap, PointerDecisionList List, IModelCatalog Catalog,
    IReadOnlyList<string> Groups, IReadOnlyList<string> ProtectedColumns, Holdout? Holdout)
{
    /// <summary>Family-wise error rate of the gap tests on the deployer's rows, per version (Holm), as the discovery's.</summary>
    public double Alpha { get; init; } = 0.025;

    /// <summary>Settings of the search for underperforming groups; null runs it with its defaults on one thread.</summary>
    public GroupSearchOptions? Discovery { get; init; }

    /// <summary>The competition's label classes (the deployer's rows may hold only one of them); null: read from the data.</summary>
    public LabelDomain? Label { get; init; }

    /// <summary>Values per protected column (the most frequent); the rest are not measured.</summary>
    public int MaxValuesPerColumn { get; init; } = 20;
}

/// <summary>The error on one group: rows measured (the metric's eligible rows), mean loss with its 95 % interval, the rest's, and the gap's test.</summary>
public sealed record GroupError(
    string Expression, ReplayGroupSource Source, int Rows, double Error, double Lower, double Upper,
    double RestError, double PValue, double AdjustedPValue, bool SignificantGap, bool? GapOnHoldout, bool LastMile)
{
    /// <summary>Clusters (speakers) among the group's rows, for an evaluation table with a cluster column; else null.</summary>
    public int? Clusters { get; init; }
}

/// <summary>One version's numbers on the deployer's rows.</summary>
public sealed record VersionReplay(int Version, int Rows, double Error, double Lower, double Upper, IReadOnlyList<GroupError> Groups)
{
    /// <summary>Clusters (speakers) among the rows, for an evaluation table with a cluster column; else null.</summary>
    public int? Clusters { get; init; }
}

/// <summary>Kinds of <see cref="ReplayFlag"/>.</summary>
public enum ReplayFlagKind
{
    /// <summary>A significant gap on the deployer's rows that the holdout did not show.</summary>
    LastMileGap,

    /// <summary>A fix that helped on the holdout (it was accepted) does not lower the error on its group here.</summary>
    FixDoesNotHelp,
}

/// <summary>Something the deployer should look at, in a sentence.</summary>
public sealed record ReplayFlag(ReplayFlagKind Kind, int Version, string Expression, string Text);

/// <summary>A group the automatic search found on the deployer's rows (newest version), ready to paste.</summary>
public sealed record ReplayDiscovery(string Expression, int Rows, double Error, double RestError, double AdjustedPValue);

/// <summary>
/// A replay (issue 13, "Replay" for deployers): the base model and every published version run on a deployer's own
/// labelled rows; per version the overall error and the error on every finding's group and on every value and pair of
/// values of the protected columns, each with its 95 % interval (Wilson for a 0/1 loss, normal for squared loss) and size;
/// flags where a gap is significant here (one-sided test against the rest, Holm over the version's groups at
/// <see cref="ReplayRequest.Alpha"/>) but not on the holdout — a last-mile effect — and where an accepted fix does not
/// lower the error on its group; and the automatic search for underperforming groups on the newest version.
/// </summary>
public sealed record ReplayReport(
    string Metric, int Rows, int MeasuredRows, IReadOnlyList<VersionReplay> Versions, IReadOnlyList<ReplayFlag> Flags,
    IReadOnlyList<ReplayDiscovery> Discovered, string? DiscoveryNote)
{
    /// <summary>For an evaluation table's replay (<see cref="EvaluationTableReplay"/>): the column whose rows are not independent (the speaker), by which intervals and tests are clustered; else null.</summary>
    public string? ClusterColumn { get; init; }

    /// <summary>Whether this replays a deployer's evaluation table (one system version, a ratio metric) rather than a model on labelled rows.</summary>
    public bool EvaluationTable => Metric is "wer" or "cer" or "lossColumn";

    /// <summary>Smallest group measured (smaller groups are left out: their intervals would say nothing).</summary>
    public const int MinGroupRows = 5;

    /// <summary>Runs a replay; <paramref name="progress"/> gets the share done (0 to 1).</summary>
    /// <exception cref="ScoringInputException">The data has no label, or the competition scores an evaluation table.</exception>
    public static ReplayReport Run(ReplayRequest request, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = request.Metric.Definition();
        if (!definition.ScoresPredictions)
            throw new ScoringInputException("an evaluation table's errors are its own: there is no model to replay on other rows");
        var data = request.Data;
        var label = request.Label ?? LabelDomain.Of(data);
        var y = label.Encode(data);
        var eligible = request.Metric.Eligible(y);
        var schema = ExpressionSchema.Of(data.Schema);

        // Groups: findings first, then protected values and pairs, then the groups of accepted fixes.
        var groups = new List<(ReplayGroup Group, RowSet Rows, RowSet? HoldoutRows)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string expression, ReplayGroupSource source)
        {
            string canonical;
            RowSet rows;
            try
            {
                var parsed = SubgroupExpression.Parse(expression);
                canonical = parsed.ToCanonicalString();
                if (!seen.Add(canonical)) return;
                rows = parsed.Bind(schema).Evaluate(data);
            }
            catch (ExpressionException)
            {
                return; // a finding on a column the deployer's schema lacks cannot be measured here
            }
            RowSet? holdoutRows = null;
            if (request.Holdout is { } holdout)
            {
                try
                {
                    holdoutRows = SubgroupExpression.Parse(canonical).Bind(ExpressionSchema.Of(holdout.Data.Schema)).Evaluate(holdout.Data);
                }
                catch (ExpressionException)
                {
                    holdoutRows = null;
                }
            }
            groups.Add((new ReplayGroup(canonical, source), rows, holdoutRows));
        }
        foreach (var (expression, source) in Candidates(data, request.Groups, request.ProtectedColumns, request.MaxValuesPerColumn))
            Add(expression, source);
        var fixGroups = request.List.Nodes.OfType<UpdateNode>().Select(n => n.Group.Expression).ToArray();
        foreach (var expression in fixGroups.OfType<string>()) Add(expression, ReplayGroupSource.Fix);
        groups.RemoveAll(g => g.Rows.IntersectionCount(eligible) < MinGroupRows);

        // Predictions of every version (memoised inside the list: a repair reuses an earlier version's).
        var versions = new List<VersionReplay>();
        var losses = new List<float[]>();
        var count = request.List.Versions.Count;
        for (var v = 0; v < count; v++)
        {
            var predictions = request.List.Predict(data, request.Catalog, v);
            var loss = request.Metric.Losses(y, predictions, request.LossCap);
            losses.Add(loss);
            float[]? holdoutLoss = request.Holdout is { } h && request.List.Versions[v].HoldoutPredictions.Length == h.RowCount
                ? request.Metric.Losses(h.Y, request.List.HoldoutPredictions(v), request.LossCap) : null;
            var measured = groups.Select(g => Measure(g.Group, g.Rows, eligible, loss, definition.IsZeroOne,
                g.HoldoutRows is null || holdoutLoss is null ? null : (g.HoldoutRows, request.Metric.Eligible(request.Holdout!.Y), holdoutLoss), request.Alpha)).ToList();
            var adjusted = GroupSearch.Holm(measured.Select(m => m.PValue).ToArray());
            for (var i = 0; i < measured.Count; i++)
            {
                var significant = adjusted[i] <= request.Alpha && measured[i].Error > measured[i].RestError;
                measured[i] = measured[i] with
                {
                    AdjustedPValue = adjusted[i], SignificantGap = significant,
                    LastMile = significant && measured[i].GapOnHoldout != true && measured[i].Source != ReplayGroupSource.Fix,
                };
            }
            var (error, lower, upper) = Estimate(eligible, loss, eligible, definition.IsZeroOne);
            versions.Add(new VersionReplay(v, eligible.Count(), error, lower, upper, measured));
            progress?.Report(0.7 * (v + 1) / count);
        }

        var flags = new List<ReplayFlag>();
        var noun = definition.Noun;
        foreach (var version in versions)
            foreach (var group in version.Groups.Where(g => g.LastMile))
                flags.Add(new ReplayFlag(ReplayFlagKind.LastMileGap, version.Version, group.Expression,
                    $"Version {version.Version}: on your rows the {noun} is {Percent(group.Error, definition.IsZeroOne)} in {group.Expression} ({group.Rows} rows) against {Percent(group.RestError, definition.IsZeroOne)} elsewhere — a significant gap that the competition's holdout did not show."));

        // Fixes: version v added the v-th batch of nodes; its update node's group should do better than under version v − 1.
        for (var v = 1; v < count; v++)
        {
            var previousNodes = request.List.Versions[v - 1].NodeCount;
            var update = request.List.Nodes.Take(request.List.Versions[v].NodeCount).Skip(previousNodes).OfType<UpdateNode>().FirstOrDefault();
            if (update?.Group.Expression is not { } expression) continue;
            var group = groups.FirstOrDefault(g => g.Group.Expression == Canonical(expression));
            if (group.Rows is null) continue;
            var rows = group.Rows.And(eligible);
            var before = Mean(losses[v - 1], rows);
            var after = Mean(losses[v], rows);
            if (after >= before)
                flags.Add(new ReplayFlag(ReplayFlagKind.FixDoesNotHelp, v, group.Group.Expression,
                    $"Version {v}'s fix for {group.Group.Expression} helped on the holdout, but not on your rows: the {noun} there is {Percent(after, definition.IsZeroOne)} with it and {Percent(before, definition.IsZeroOne)} without ({rows.Count()} rows)."));
        }
        progress?.Report(0.75);

        // Discovery on the newest version's losses (0/1 only: the search counts errors).
        var discovered = new List<ReplayDiscovery>();
        string? note = null;
        if (!definition.IsZeroOne)
        {
            note = "The automatic search counts errors, so it runs only for a metric with right-or-wrong predictions.";
        }
        else
        {
            var rows = eligible.ToIndices();
            var measuredData = data.SelectRows(rows);
            var errors = new RowSet(rows.Length);
            var newest = losses[^1];
            for (var i = 0; i < rows.Length; i++)
                if (newest[rows[i]] > 0) errors.Add(i);
            var options = request.Discovery ?? new GroupSearchOptions { MaxDegreeOfParallelism = 1 };
            if (rows.Length < 4 * Math.Max(30, options.MinSupport))
            {
                note = $"Too few rows for the automatic search ({rows.Length}; it needs at least {4 * Math.Max(30, options.MinSupport)}).";
            }
            else
            {
                var result = GroupSearch.Run(measuredData, errors, options);
                discovered.AddRange(result.Confirmed.Select(g => new ReplayDiscovery(g.Expression, g.ConfirmRows, g.GroupRate, g.RestRate, g.AdjustedPValue)));
                if (discovered.Count == 0) note = "The automatic search found no group that errs significantly more than the rest on your rows.";
            }
        }
        progress?.Report(1);
        return new ReplayReport(request.Metric.Name(), data.RowCount, eligible.Count(), versions, flags, discovered, note);
    }

    private static string Canonical(string expression) => SubgroupExpression.Parse(expression).ToCanonicalString();

    /// <summary>
    /// The groups a replay measures, in order: the findings, each protected column's values, and each pair of values of
    /// two protected columns.
    /// </summary>
    public static IEnumerable<(string Expression, ReplayGroupSource Source)> Candidates(
        Dataset data, IEnumerable<string> findings, IReadOnlyList<string> protectedColumns, int maxValuesPerColumn)
    {
        foreach (var finding in findings) yield return (finding, ReplayGroupSource.Finding);
        var protectedValues = protectedColumns.Select(c => ValueConditions(data, c, maxValuesPerColumn)).ToArray();
        foreach (var values in protectedValues)
            foreach (var condition in values) yield return (condition, ReplayGroupSource.Protected);
        for (var a = 0; a < protectedValues.Length; a++)
            for (var b = a + 1; b < protectedValues.Length; b++)
                foreach (var first in protectedValues[a])
                    foreach (var second in protectedValues[b]) yield return ($"{first} and {second}", ReplayGroupSource.ProtectedPair);
    }

    /// <summary>The conditions "column == value" of a protected column: its most frequent values, or its median halves for a numeric column with many values.</summary>
    public static IReadOnlyList<string> ValueConditions(Dataset data, string columnName, int maxValues)
    {
        if (!data.TryGetColumn(columnName, out var column)) return [];
        var name = CanonicalText.Column(column.Name);
        switch (column)
        {
            case CategoricalColumn text:
            {
                var counts = new int[text.Categories.Count];
                foreach (var code in text.Codes)
                    if (code >= 0) counts[code]++;
                return Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0).OrderByDescending(c => counts[c]).Take(maxValues)
                    .Select(c => $"{name} == {CanonicalText.String(text.Categories[c])}").ToArray();
            }
            case NumericColumn numeric:
            {
                var present = numeric.Values.Where(v => !float.IsNaN(v)).ToArray();
                var distinct = present.Distinct().Order().ToArray();
                if (distinct.Length <= maxValues) return distinct.Select(v => $"{name} == {CanonicalText.Number(v)}").ToArray();
                Array.Sort(present);
                var median = present[present.Length / 2];
                return [$"{name} < {CanonicalText.Number(median)}", $"{name} >= {CanonicalText.Number(median)}"];
            }
            default:
                return [];
        }
    }

    private static GroupError Measure(ReplayGroup group, RowSet members, RowSet eligible, float[] loss, bool zeroOne,
        (RowSet Members, RowSet Eligible, float[] Loss)? holdout, double alpha)
    {
        var inside = members.And(eligible);
        var outside = members.Not().And(eligible);
        var (error, lower, upper) = Estimate(inside, loss, eligible, zeroOne);
        var rest = Mean(loss, outside);
        var p = GapPValue(loss, inside, outside, zeroOne);
        bool? onHoldout = null;
        if (holdout is { } h)
        {
            var hIn = h.Members.And(h.Eligible);
            var hOut = h.Members.Not().And(h.Eligible);
            onHoldout = hIn.Count() > 0 && hOut.Count() > 0 && GapPValue(h.Loss, hIn, hOut, zeroOne) <= alpha && Mean(h.Loss, hIn) > Mean(h.Loss, hOut);
        }
        return new GroupError(group.Expression, group.Source, inside.Count(), error, lower, upper, rest, p, p, false, onHoldout, false);
    }

    /// <summary>One-sided p-value of "the loss is higher inside than outside": as the finding test (pooled z, Fisher for small counts; Welch for squared loss).</summary>
    private static double GapPValue(float[] loss, RowSet inside, RowSet outside, bool zeroOne)
    {
        var (nG, nC) = (inside.Count(), outside.Count());
        if (nG == 0 || nC == 0) return 1;
        if (zeroOne)
        {
            var eG = Errors(loss, inside);
            var eC = Errors(loss, outside);
            var exact = Math.Min(Math.Min(eG, nG - eG), Math.Min(eC, nC - eC)) < 10;
            var result = exact ? FisherExact.OneSidedGreater(eG, nG, eC, nC) : Proportions.PooledTwoProportionZ(eG, nG, eC, nC);
            return double.IsNaN(result.PValue) ? 1 : result.PValue;
        }
        if (nG < 2 || nC < 2) return 1;
        var t = WelchT.OneSidedGreater(Summary(loss, inside), Summary(loss, outside));
        return double.IsNaN(t.PValue) ? 1 : t.PValue;
    }

    private static (double Error, double Lower, double Upper) Estimate(RowSet rows, float[] loss, RowSet eligible, bool zeroOne)
    {
        _ = eligible;
        var n = rows.Count();
        if (n == 0) return (0, 0, 0);
        if (zeroOne)
        {
            var e = Errors(loss, rows);
            var interval = Proportions.Wilson(e, n);
            return ((double)e / n, interval.Lower, interval.Upper);
        }
        var summary = Summary(loss, rows);
        var half = n < 2 ? 0 : 1.96 * Math.Sqrt(summary.Variance / n);
        return (summary.Mean, Math.Max(0, summary.Mean - half), summary.Mean + half);
    }

    private static SampleSummary Summary(float[] loss, RowSet rows) => SampleSummary.Of(rows.ToIndices().Select(i => (double)loss[i]).ToArray());

    private static int Errors(float[] loss, RowSet rows) => rows.ToIndices().Count(i => loss[i] > 0);

    private static double Mean(float[] loss, RowSet rows)
    {
        var indices = rows.ToIndices();
        return indices.Length == 0 ? 0 : indices.Average(i => (double)loss[i]);
    }

    private static string Percent(double value, bool zeroOne) => zeroOne ? $"{value * 100:0.0} %" : $"{value:0.###}";
}
