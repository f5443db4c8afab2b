using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// The group-against-rest test of a ratio metric ΣE/ΣN (word error rate) when rows come in clusters that are not
/// independent — utterances of one speaker. A per-utterance test treats 40 utterances of one speaker as 40 pieces of
/// evidence, and a group that follows speakers (an accent) then looks far more certain than it is.
/// </summary>
/// <remarks>
/// Linearisation of D = R_g − R_c around the two ratios gives each cluster k the influence
/// u_k = (E_gk − R_g·N_gk)/ΣN_g − (E_ck − R_c·N_ck)/ΣN_c, where E_gk, N_gk are the cluster's totals inside the group
/// and E_ck, N_ck outside it (a speaker may have rows on both sides; the covariance that creates is in u_k). The
/// influences sum to zero, and the cluster-robust variance is Var(D) ≈ G/(G−1)·Σ u_k² over the G clusters with rows
/// (the CR1 small-sample factor). The statistic is referred to Student's t with G − 1 degrees of freedom, as is usual
/// with few clusters, which keeps the false-verification rate near its level when there are only dozens of speakers.
/// </remarks>
public static class ClusteredRatioEstimator
{
    /// <summary>
    /// One-sided test of H1: R_group &gt; R_complement over the rows in <paramref name="rows"/> (indices), with
    /// <paramref name="inGroup"/> telling the side of each listed row and <paramref name="cluster"/> its cluster id
    /// (any non-negative int, e.g. a category code).
    /// </summary>
    /// <returns>
    /// The ratios, the cluster-robust standard error of their difference, the t statistic and its p-value; the
    /// interval from <see cref="ClusteredRatioResult.ConfidenceInterval"/>. With fewer than two clusters, or no
    /// variation, the answer is deliberately conservative (t = 0, p = 1).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A side has no rows or ΣN ≤ 0.</exception>
    public static ClusteredRatioResult OneSidedGreater(ReadOnlySpan<float> e, ReadOnlySpan<float> n, ReadOnlySpan<int> cluster,
        ReadOnlySpan<int> rows, Func<int, bool> inGroup)
    {
        ArgumentNullException.ThrowIfNull(inGroup);
        // Per-cluster totals on each side: clusters are dense ids (codes), so arrays indexed by id.
        var maxCluster = 0;
        foreach (var row in rows) maxCluster = Math.Max(maxCluster, cluster[row]);
        var groupE = new double[maxCluster + 1];
        var groupN = new double[maxCluster + 1];
        var restE = new double[maxCluster + 1];
        var restN = new double[maxCluster + 1];
        var seen = new bool[maxCluster + 1];
        CompensatedSum sumGE = default, sumGN = default, sumCE = default, sumCN = default;
        int groupRows = 0, restRows = 0;
        foreach (var row in rows)
        {
            var k = cluster[row];
            if (k < 0) throw new ArgumentOutOfRangeException(nameof(cluster), k, "cluster ids must be non-negative");
            seen[k] = true;
            if (inGroup(row))
            {
                groupE[k] += e[row];
                groupN[k] += n[row];
                sumGE.Add(e[row]);
                sumGN.Add(n[row]);
                groupRows++;
            }
            else
            {
                restE[k] += e[row];
                restN[k] += n[row];
                sumCE.Add(e[row]);
                sumCN.Add(n[row]);
                restRows++;
            }
        }
        Check(groupRows, sumGN.Value, "group");
        Check(restRows, sumCN.Value, "complement");
        var groupRatio = sumGE.Value / sumGN.Value;
        var restRatio = sumCE.Value / sumCN.Value;

        var clusters = 0;
        CompensatedSum squares = default;
        for (var k = 0; k <= maxCluster; k++)
        {
            if (!seen[k]) continue;
            clusters++;
            var u = (groupE[k] - groupRatio * groupN[k]) / sumGN.Value - (restE[k] - restRatio * restN[k]) / sumCN.Value;
            squares.Add(u * u);
        }
        return Result(groupRatio, restRatio, squares.Value, clusters);
    }

    /// <summary>
    /// The ratio ΣE/ΣN over <paramref name="rows"/> with its cluster-robust confidence interval: each cluster's influence
    /// u_k = (E_k − R·N_k)/ΣN, Var(R) ≈ G/(G−1)·Σ u_k² (CR1), R ± t(G−1)·SE, the lower end kept at 0. Without
    /// <paramref name="cluster"/> every row is its own cluster: the per-row delta method.
    /// </summary>
    /// <returns>The ratio, the interval and the clusters G; with fewer than two clusters the interval is null (it would say nothing).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rows are empty or ΣN ≤ 0.</exception>
    public static (double Ratio, Interval? Interval, int Clusters) Ratio(float[] e, float[] n, int[]? cluster, RowSet rows, double confidence = 0.95)
    {
        StatisticsHelpers.CheckConfidence(confidence, nameof(confidence));
        var indices = rows.ToIndices();
        double sumE = 0, sumN = 0; // counts: exact in double
        foreach (var row in indices) (sumE, sumN) = (sumE + e[row], sumN + n[row]);
        Check(indices.Length, sumN, "group");
        var ratio = sumE / sumN;
        var perCluster = new Dictionary<int, double>();
        foreach (var row in indices)
        {
            var k = cluster?[row] ?? row;
            perCluster[k] = perCluster.GetValueOrDefault(k) + (e[row] - ratio * n[row]);
        }
        var clusters = perCluster.Count;
        if (clusters < 2) return (ratio, null, clusters);
        CompensatedSum squares = default;
        foreach (var influence in perCluster.Values) squares.Add(influence / sumN * (influence / sumN));
        var half = StatisticsHelpers.TwoSidedStudentQuantile(confidence, clusters - 1) * StandardError(squares.Value, clusters);
        return (ratio, new Interval(Math.Max(0, ratio - half), ratio + half), clusters);
    }

    /// <summary>The CR1 standard error from Σ u_k² over <paramref name="clusters"/> clusters, and the t test on it.</summary>
    internal static ClusteredRatioResult Result(double groupRatio, double restRatio, double squares, int clusters)
    {
        if (clusters < 2 || !(squares > 0))
            return new ClusteredRatioResult(groupRatio, restRatio, 0, 0, 1, Math.Max(1, clusters - 1), clusters);
        var standardError = StandardError(squares, clusters);
        var t = (groupRatio - restRatio) / standardError;
        var degrees = clusters - 1;
        return new ClusteredRatioResult(groupRatio, restRatio, standardError, t, StatisticsHelpers.UpperStudentTail(t, degrees), degrees, clusters);
    }

    /// <summary>The CR1 standard error: √(G/(G−1) · Σ u_k²) over G clusters.</summary>
    private static double StandardError(double squares, int clusters) => Math.Sqrt(clusters / (clusters - 1.0) * squares);

    private static void Check(int count, double sumN, string side)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(side, count, $"the {side} has no rows");
        if (!(sumN > 0)) throw new ArgumentOutOfRangeException(side, sumN, $"the {side}'s total ΣN must be positive");
    }
}

/// <summary>The outcome of <see cref="ClusteredRatioEstimator.OneSidedGreater"/>.</summary>
/// <param name="DegreesOfFreedom">Clusters − 1.</param>
/// <param name="Clusters">Clusters with at least one row on either side.</param>
public readonly record struct ClusteredRatioResult(
    double GroupRatio, double ComplementRatio, double StandardError, double Statistic, double PValue, int DegreesOfFreedom, int Clusters)
{
    public double Difference => GroupRatio - ComplementRatio;

    /// <summary>Difference ± t(G−1) · StandardError; a single point when the standard error is 0.</summary>
    public Interval ConfidenceInterval(double confidence = 0.95)
    {
        StatisticsHelpers.CheckConfidence(confidence, nameof(confidence));
        var half = StandardError == 0 ? 0 : StatisticsHelpers.TwoSidedStudentQuantile(confidence, DegreesOfFreedom) * StandardError;
        return new Interval(Difference - half, Difference + half);
    }
}

/// <summary>
/// Per-cluster totals of E and N over a fixed set of rows (a holdout's confirmation part), computed once, so that a
/// group's cluster-robust test walks only the group's own rows: the rest's cluster totals are these minus the group's.
/// The result equals <see cref="ClusteredRatioEstimator.OneSidedGreater"/> on the same rows (tested), to rounding.
/// </summary>
/// <remarks>
/// Each row's E, N and cluster are kept side by side in one array (a copy: 12 bytes a row), because a group's rows are
/// scattered over the table and reading three separate arrays costs three cache misses a row instead of one; likewise a
/// cluster's scratch totals sit in one struct. On 1,000,000 rows this halves a WER finding (docs/performance.md).
/// </remarks>
public sealed class ClusteredRatioTotals
{
    private readonly RowLoss[] _rows;
    private readonly RowSet _within;
    private readonly double[] _clusterE;
    private readonly double[] _clusterN;
    private readonly double _sumE, _sumN;
    private readonly int _rowCount, _clusters;

    // Σ_k T_Ek², Σ_k T_Ek·T_Nk, Σ_k T_Nk² over the clusters' totals: a cluster without group rows contributes
    // (T_Ek − R_c·T_Nk)², so all of them together are one expression in R_c, and a finding touches only its own clusters.
    private readonly double _sumEE, _sumEN, _sumNN;
    private readonly Scratch _scratch;

    private ClusteredRatioTotals(RowLoss[] rows, RowSet within, double[] clusterE, double[] clusterN, bool[] present, double sumE, double sumN, int rowCount, int clusters)
    {
        _within = within;
        (_rows, _clusterE, _clusterN, _sumE, _sumN, _rowCount, _clusters) = (rows, clusterE, clusterN, sumE, sumN, rowCount, clusters);
        _scratch = new Scratch(present.Length);
        for (var k = 0; k < present.Length; k++)
        {
            if (!present[k]) continue;
            _sumEE += clusterE[k] * clusterE[k];
            _sumEN += clusterE[k] * clusterN[k];
            _sumNN += clusterN[k] * clusterN[k];
        }
    }

    /// <summary>The totals over <paramref name="rows"/> of a table whose rows have errors <paramref name="e"/>, sizes <paramref name="n"/> and clusters <paramref name="cluster"/>.</summary>
    public static ClusteredRatioTotals Of(float[] e, float[] n, int[] cluster, RowSet rows)
    {
        var size = cluster.Length == 0 ? 0 : cluster.Max() + 1;
        var (clusterE, clusterN, present) = (new double[size], new double[size], new bool[size]);
        CompensatedSum sumE = default, sumN = default;
        var count = 0;
        ForEachRow(rows, row =>
        {
            var k = cluster[row];
            clusterE[k] += e[row];
            clusterN[k] += n[row];
            present[k] = true;
            sumE.Add(e[row]);
            sumN.Add(n[row]);
            count++;
        });
        var packed = new RowLoss[cluster.Length];
        for (var row = 0; row < packed.Length; row++) packed[row] = new RowLoss(e[row], n[row], cluster[row]);
        return new ClusteredRatioTotals(packed, rows.Clone(), clusterE, clusterN, present, sumE.Value, sumN.Value, count, present.Count(p => p));
    }

    /// <summary>
    /// The test of a group — the rows of <paramref name="members"/> that are in <paramref name="eligible"/> and in the
    /// totals' own rows — against the rest of the totals' rows, with the group's and the rest's row counts and E totals
    /// read in the same pass. The intersection is taken word by word during the walk: no set is built.
    /// </summary>
    public ClusteredGroupTest GroupAgainstRest(RowSet members, RowSet eligible)
    {
        if (members.Length != _within.Length || eligible.Length != _within.Length)
            throw new ArgumentException("the group, the eligible rows and the totals must cover the same table", nameof(members));
        // One scratch space per totals object, kept clean after every use (only the touched entries are reset), so a
        // finding costs its own rows, not one pass over every speaker. Findings on one holdout take turns.
        lock (_scratch)
        {
            var (sums, touched) = (_scratch.Sums, _scratch.Touched);
            var touchedCount = 0;
            try
            {
                double gE = 0, gN = 0; // the loss columns hold counts: exact in double
                var count = 0;
                Span<ulong> m = members.Words, a = eligible.Words, b = _within.Words;
                var rows = _rows;
                for (var w = 0; w < m.Length; w++)
                {
                    for (var word = m[w] & a[w] & b[w]; word != 0; word &= word - 1)
                    {
                        ref readonly var row = ref rows[(w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word)];
                        ref var k = ref sums[row.Cluster];
                        if (!k.Touched)
                        {
                            k.Touched = true;
                            touched[touchedCount++] = row.Cluster;
                        }
                        k.E += row.E;
                        k.N += row.N;
                        gE += row.E;
                        gN += row.N;
                        count++;
                    }
                }
                var (cE, cN) = (_sumE - gE, _sumN - gN);
                if (count < 1 || !(gN > 0)) throw new ArgumentOutOfRangeException(nameof(members), count, "the group has no rows");
                if (_rowCount - count < 1 || !(cN > 0)) throw new ArgumentOutOfRangeException(nameof(members), count, "the complement has no rows");
                var (groupRatio, restRatio) = (gE / gN, cE / cN);
                // Σ_k u_k², u_k = (E_gk − R_g·N_gk)/ΣN_g − (E_ck − R_c·N_ck)/ΣN_c: every cluster as if it had no group rows
                // (one expression in R_c), then the touched clusters corrected to their real terms.
                var untouchedAll = Math.Max(0, _sumEE - 2 * restRatio * _sumEN + restRatio * restRatio * _sumNN) / (cN * cN);
                double correction = 0;
                for (var t = 0; t < touchedCount; t++)
                {
                    var k = touched[t];
                    var (ke, kn) = (sums[k].E, sums[k].N);
                    var asIfUntouched = (_clusterE[k] - restRatio * _clusterN[k]) / cN;
                    var u = (ke - groupRatio * kn) / gN - ((_clusterE[k] - ke) - restRatio * (_clusterN[k] - kn)) / cN;
                    correction += u * u - asIfUntouched * asIfUntouched;
                }
                var test = ClusteredRatioEstimator.Result(groupRatio, restRatio, Math.Max(0, untouchedAll + correction), _clusters);
                return new ClusteredGroupTest(test, count, gE, _rowCount - count, cE);
            }
            finally
            {
                for (var t = 0; t < touchedCount; t++) sums[touched[t]] = default;
            }
        }
    }

    private readonly record struct RowLoss(float E, float N, int Cluster);

    private struct ClusterSum
    {
        public double E;
        public double N;
        public bool Touched;
    }

    private sealed record Scratch(ClusterSum[] Sums, int[] Touched)
    {
        public Scratch(int clusters) : this(new ClusterSum[clusters], new int[clusters]) { }
    }

    private static void ForEachRow(RowSet rows, Action<int> visit)
    {
        var words = rows.Words;
        for (var w = 0; w < words.Length; w++)
        {
            var word = words[w];
            while (word != 0)
            {
                visit((w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word));
                word &= word - 1;
            }
        }
    }
}

/// <summary>
/// <see cref="ClusteredRatioTotals.GroupAgainstRest"/>'s answer: the test, and the group's and the rest's rows and E
/// totals (errors), which the verdict reports.
/// </summary>
public readonly record struct ClusteredGroupTest(ClusteredRatioResult Test, int GroupRows, double GroupE, int RestRows, double RestE);
