namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// Welch's unequal-variance t-test, used to compare mean per-row losses of a group and its complement.
/// </summary>
public static class WelchT
{
    /// <summary>
    /// One-sided Welch t-test of H1: mean of sample 1 &gt; mean of sample 2, from summary statistics.
    /// </summary>
    /// <param name="sample1">Summary of sample 1 (e.g. the group): at least 2 observations, variance ≥ 0.</param>
    /// <param name="sample2">Summary of sample 2 (e.g. the complement): at least 2 observations, variance ≥ 0.</param>
    /// <returns>
    /// t = (m1 − m2) / √(v1/n1 + v2/n2) with Welch–Satterthwaite degrees of freedom and p = P(T ≥ t).
    /// When both variances are 0 the test has no noise estimate and the result is deliberately conservative:
    /// t = 0, p = 1, standard error 0 and df = n1 + n2 − 2. If any mean or variance is NaN, every field is NaN.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A sample has fewer than 2 observations or a negative variance;
    /// the exception names that sample.</exception>
    public static TTestResult OneSidedGreater(SampleSummary sample1, SampleSummary sample2)
    {
        sample1.CheckUsable(nameof(sample1));
        sample2.CheckUsable(nameof(sample2));
        if (sample1.HasNaN || sample2.HasNaN)
        {
            return TTestResult.NaN;
        }

        var difference = sample1.Mean - sample2.Mean;
        var share1 = sample1.Variance / sample1.Count;
        var share2 = sample2.Variance / sample2.Count;
        var squaredError = share1 + share2;
        if (squaredError == 0.0)
        {
            return new TTestResult(0.0, sample1.Count + sample2.Count - 2.0, 1.0, difference, 0.0);
        }

        var degreesOfFreedom = squaredError * squaredError
            / (share1 * share1 / (sample1.Count - 1) + share2 * share2 / (sample2.Count - 1));
        var standardError = Math.Sqrt(squaredError);
        var t = difference / standardError;
        return new TTestResult(t, degreesOfFreedom, StatisticsHelpers.UpperStudentTail(t, degreesOfFreedom), difference, standardError);
    }

    /// <summary>One-sided Welch t-test of H1: mean of <paramref name="sample1"/> &gt; mean of <paramref name="sample2"/>.</summary>
    /// <param name="sample1">Values of sample 1; at least 2.</param>
    /// <param name="sample2">Values of sample 2; at least 2. The samples are independent, so lengths may differ.</param>
    /// <returns>As <see cref="OneSidedGreater(SampleSummary, SampleSummary)"/>; a NaN value makes every field NaN.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A sample has fewer than 2 values (including empty).</exception>
    public static TTestResult OneSidedGreater(ReadOnlySpan<double> sample1, ReadOnlySpan<double> sample2) =>
        OneSidedGreater(SampleSummary.Of(sample1), SampleSummary.Of(sample2));

    /// <inheritdoc cref="OneSidedGreater(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
    public static TTestResult OneSidedGreater(ReadOnlySpan<float> sample1, ReadOnlySpan<float> sample2) =>
        OneSidedGreater(SampleSummary.Of(sample1), SampleSummary.Of(sample2));
}
