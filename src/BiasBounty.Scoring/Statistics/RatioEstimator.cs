namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// Running sums for a ratio metric R = ΣE / ΣN (e.g. word error rate: E word errors over N reference words per row),
/// so a caller can accumulate a group in one pass and hand the sums to <see cref="RatioEstimator"/>.
/// </summary>
/// <param name="Count">Number of rows n.</param>
/// <param name="SumE">ΣE_i.</param>
/// <param name="SumN">ΣN_i.</param>
/// <param name="SumESquared">ΣE_i².</param>
/// <param name="SumNSquared">ΣN_i².</param>
/// <param name="SumEN">ΣE_i·N_i.</param>
public readonly record struct RatioSums(
    int Count,
    double SumE,
    double SumN,
    double SumESquared,
    double SumNSquared,
    double SumEN)
{
    /// <summary>The ratio ΣE / ΣN; NaN when ΣN = 0.</summary>
    public double Ratio => SumN == 0.0 ? double.NaN : SumE / SumN;

    /// <summary>Returns these sums with one more row (<paramref name="e"/>, <paramref name="n"/>) added.</summary>
    /// <param name="e">The row's numerator E_i (e.g. word errors); expected ≥ 0, not checked. NaN propagates.</param>
    /// <param name="n">The row's denominator N_i (e.g. reference words); expected ≥ 0, not checked. NaN propagates.</param>
    /// <returns>The updated sums.</returns>
    public RatioSums Add(double e, double n) =>
        new(Count + 1, SumE + e, SumN + n, SumESquared + e * e, SumNSquared + n * n, SumEN + e * n);
}

/// <summary>
/// The outcome of comparing a ratio metric between a group and its complement with a delta-method z-test.
/// </summary>
/// <param name="GroupRatio">R_g = ΣE / ΣN over the group.</param>
/// <param name="ComplementRatio">R_c = ΣE / ΣN over the complement.</param>
/// <param name="StandardError">√(Var(R_g) + Var(R_c)), the delta-method standard error of the difference.</param>
/// <param name="Statistic">z = (R_g − R_c) / StandardError.</param>
/// <param name="PValue">One-sided p-value P(Z ≥ z); NaN only when the data contained NaN.</param>
public readonly record struct RatioTestResult(
    double GroupRatio,
    double ComplementRatio,
    double StandardError,
    double Statistic,
    double PValue)
{
    /// <summary>R_g − R_c.</summary>
    public double Difference => GroupRatio - ComplementRatio;

    /// <summary>The two-sided Wald interval Difference ± z((1 + confidence)/2) · StandardError.</summary>
    /// <param name="confidence">Two-sided confidence level, strictly between 0 and 1.</param>
    /// <returns>The interval; a single point when the standard error is 0; NaN bounds when the result is NaN.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="confidence"/> is not in (0, 1) or is NaN.</exception>
    public Interval ConfidenceInterval(double confidence = 0.95)
    {
        StatisticsHelpers.CheckConfidence(confidence, nameof(confidence));
        var halfWidth = StandardError == 0.0 ? 0.0 : StatisticsHelpers.TwoSidedNormalQuantile(confidence) * StandardError;
        return new Interval(Difference - halfWidth, Difference + halfWidth);
    }
}

/// <summary>
/// Delta-method z-test for ratio metrics ΣE / ΣN (word error rate and similar), group against complement.
/// </summary>
/// <remarks>
/// For one group of n rows with R = ΣE / ΣN and N̄ = ΣN / n, the linearised variance is
/// Var(R) ≈ (1 / (n · N̄²)) · (1 / (n − 1)) · Σ(E_i − R·N_i)². The two groups are independent, so the variance of
/// R_g − R_c is the sum of the two.
/// </remarks>
public static class RatioEstimator
{
    // 2^-52, the spacing of doubles at 1. The noise floors below are relative to the magnitudes involved; any real
    // data set's residuals are many orders of magnitude above them.
    private const double MachineEpsilon = 2.220446049250313e-16;
    private const double SumsNoise = 16 * MachineEpsilon;
    private const double SpanNoise = 16 * MachineEpsilon * MachineEpsilon;

    /// <summary>
    /// One-sided delta-method z-test of H1: R_group &gt; R_complement, from one-pass sums.
    /// </summary>
    /// <param name="group">Sums over the group: at least 2 rows and ΣN &gt; 0.</param>
    /// <param name="complement">Sums over the complement: at least 2 rows and ΣN &gt; 0.</param>
    /// <returns>
    /// The ratios, the standard error of their difference, z and p = P(Z ≥ z). When both variance estimates are 0
    /// (every row has E_i = R·N_i to within rounding) the result is deliberately conservative: z = 0, p = 1. NaN in the
    /// sums makes z and p NaN.
    /// </returns>
    /// <remarks>
    /// Here Σ(E_i − R·N_i)² is expanded as ΣE² − 2R·ΣEN + R²·ΣN², which cancels when the residuals are tiny next to
    /// ΣE²: the result is only known to a few ulps of the subtracted terms, and anything within 16 ulps of them counts
    /// as 0. For integer counts (word errors, words) the sums are exact in double up to 2^53, so nothing else is lost.
    /// Prefer the span overload, which uses two passes, when the per-row values are at hand.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A side has fewer than 2 rows, or its ΣN is not positive;
    /// the exception names that side.</exception>
    public static RatioTestResult OneSidedGreater(RatioSums group, RatioSums complement)
    {
        CheckSums(group, nameof(group));
        CheckSums(complement, nameof(complement));
        var groupVariance = VarianceFromSums(group);
        var complementVariance = VarianceFromSums(complement);
        return Compare(group.Ratio, groupVariance, complement.Ratio, complementVariance);
    }

    /// <summary>
    /// One-sided delta-method z-test of H1: R_group &gt; R_complement, from per-row values and a membership mask.
    /// </summary>
    /// <param name="e">Per-row numerators E_i (e.g. word errors); expected ≥ 0, not checked.</param>
    /// <param name="n">Per-row denominators N_i (e.g. reference words); expected ≥ 0, not checked.</param>
    /// <param name="inGroup">Per-row membership: <see langword="true"/> for the group, <see langword="false"/> for the complement.</param>
    /// <returns>As <see cref="OneSidedGreater(RatioSums, RatioSums)"/>; a NaN value makes z and p NaN.</returns>
    /// <remarks>
    /// Two passes: the first fixes R for each side, the second sums the residuals E_i − R·N_i directly, which avoids
    /// the cancellation of the expanded one-pass form. Sums are compensated (Neumaier) so the totals do not drift
    /// over millions of rows.
    /// </remarks>
    /// <exception cref="ArgumentException">The three spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The group or the complement has fewer than 2 rows or ΣN ≤ 0
    /// (the exception names <paramref name="inGroup"/>).</exception>
    public static RatioTestResult OneSidedGreater(ReadOnlySpan<double> e, ReadOnlySpan<double> n, ReadOnlySpan<bool> inGroup)
    {
        if (n.Length != e.Length)
        {
            throw new ArgumentException("Numerators and denominators must have one entry per row.", nameof(n));
        }

        if (inGroup.Length != e.Length)
        {
            throw new ArgumentException("The membership mask must have one entry per row.", nameof(inGroup));
        }

        CompensatedSum groupE = default, groupN = default, complementE = default, complementN = default;
        int groupCount = 0, complementCount = 0;
        for (var i = 0; i < e.Length; i++)
        {
            if (inGroup[i])
            {
                groupE.Add(e[i]);
                groupN.Add(n[i]);
                groupCount++;
            }
            else
            {
                complementE.Add(e[i]);
                complementN.Add(n[i]);
                complementCount++;
            }
        }

        CheckSide(groupCount, groupN.Value, nameof(inGroup), "group");
        CheckSide(complementCount, complementN.Value, nameof(inGroup), "complement");
        var groupRatio = groupE.Value / groupN.Value;
        var complementRatio = complementE.Value / complementN.Value;

        CompensatedSum groupResiduals = default, complementResiduals = default;
        CompensatedSum groupScale = default, complementScale = default;
        for (var i = 0; i < e.Length; i++)
        {
            var ratio = inGroup[i] ? groupRatio : complementRatio;
            var residual = e[i] - ratio * n[i];
            var scale = Math.Abs(e[i]) + Math.Abs(ratio * n[i]);
            if (inGroup[i])
            {
                groupResiduals.Add(residual * residual);
                groupScale.Add(scale * scale);
            }
            else
            {
                complementResiduals.Add(residual * residual);
                complementScale.Add(scale * scale);
            }
        }

        // Each residual carries a rounding error of a few ulps of |E_i| + |R·N_i|; a sum of squares below that
        // noise means every row matches its ratio exactly, and must not turn into a spurious, enormous z.
        var groupSquares = AboveNoise(groupResiduals.Value, SpanNoise * groupScale.Value);
        var complementSquares = AboveNoise(complementResiduals.Value, SpanNoise * complementScale.Value);
        return Compare(
            groupRatio,
            DeltaMethodVariance(groupCount, groupN.Value, groupSquares),
            complementRatio,
            DeltaMethodVariance(complementCount, complementN.Value, complementSquares));
    }

    private static double VarianceFromSums(RatioSums sums)
    {
        var ratio = sums.Ratio;
        var cross = 2.0 * ratio * sums.SumEN;
        var scaled = ratio * ratio * sums.SumNSquared;
        var residualSquares = sums.SumESquared - cross + scaled;

        // The expansion cancels: its result is only known to a few ulps of the terms that were subtracted. Anything
        // at or below that floor (rows that match R exactly) is zero, not a tiny variance that would inflate z.
        var floor = SumsNoise * (Math.Abs(sums.SumESquared) + Math.Abs(cross) + Math.Abs(scaled));
        return DeltaMethodVariance(sums.Count, sums.SumN, AboveNoise(residualSquares, floor));
    }

    private static double AboveNoise(double residualSquares, double floor) =>
        residualSquares > floor ? residualSquares : (double.IsNaN(residualSquares) ? double.NaN : 0.0);

    // (1 / (n · N̄²)) · (1 / (n − 1)) · Σ residual², with n · N̄² = (ΣN)² / n.
    private static double DeltaMethodVariance(int count, double sumN, double residualSquares) =>
        residualSquares / (count - 1.0) * count / (sumN * sumN);

    private static RatioTestResult Compare(double groupRatio, double groupVariance, double complementRatio, double complementVariance)
    {
        var standardError = Math.Sqrt(groupVariance + complementVariance);
        if (double.IsNaN(standardError) || double.IsNaN(groupRatio) || double.IsNaN(complementRatio))
        {
            return new RatioTestResult(groupRatio, complementRatio, standardError, double.NaN, double.NaN);
        }

        if (standardError == 0.0)
        {
            return new RatioTestResult(groupRatio, complementRatio, 0.0, 0.0, 1.0);
        }

        var z = (groupRatio - complementRatio) / standardError;
        return new RatioTestResult(groupRatio, complementRatio, standardError, z, StatisticsHelpers.UpperNormalTail(z));
    }

    private static void CheckSums(RatioSums sums, string paramName) => CheckSide(sums.Count, sums.SumN, paramName, paramName);

    private static void CheckSide(int count, double sumN, string paramName, string side)
    {
        if (count < 2)
        {
            throw new ArgumentOutOfRangeException(paramName, count, $"The {side} needs at least two rows for a variance estimate.");
        }

        // NaN passes this check on purpose: NaN data yields a NaN result rather than an exception.
        if (sumN <= 0.0)
        {
            throw new ArgumentOutOfRangeException(paramName, sumN, $"The {side}'s total denominator ΣN must be positive.");
        }
    }
}
