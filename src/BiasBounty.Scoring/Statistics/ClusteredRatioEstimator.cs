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
        var difference = groupRatio - restRatio;
        if (clusters < 2 || !(squares.Value > 0))
            return new ClusteredRatioResult(groupRatio, restRatio, 0, 0, 1, Math.Max(1, clusters - 1), clusters);
        var standardError = Math.Sqrt(clusters / (clusters - 1.0) * squares.Value);
        var t = difference / standardError;
        var degrees = clusters - 1;
        return new ClusteredRatioResult(groupRatio, restRatio, standardError, t, StatisticsHelpers.UpperStudentTail(t, degrees), degrees, clusters);
    }

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
