namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// The paired t-test, used to certify that a fix lowers per-row losses that are not 0/1.
/// </summary>
public static class PairedT
{
    /// <summary>
    /// One-sided paired t-test of H1: the mean difference is greater than 0, from summary statistics of the differences.
    /// </summary>
    /// <param name="differences">Summary of the per-row differences (e.g. ℓ(old) − ℓ(new)): at least 2, variance ≥ 0.</param>
    /// <returns>
    /// t = mean / √(variance / n) with n − 1 degrees of freedom and p = P(T ≥ t). When the variance is 0 the result
    /// is deliberately conservative: t = 0, p = 1, standard error 0. If the mean or variance is NaN, every field is NaN.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 differences, or a negative variance.</exception>
    public static TTestResult OneSidedGreater(SampleSummary differences)
    {
        differences.CheckUsable(nameof(differences));
        if (differences.HasNaN)
        {
            return TTestResult.NaN;
        }

        var degreesOfFreedom = differences.Count - 1.0;
        if (differences.Variance == 0.0)
        {
            return new TTestResult(0.0, degreesOfFreedom, 1.0, differences.Mean, 0.0);
        }

        var standardError = Math.Sqrt(differences.Variance / differences.Count);
        var t = differences.Mean / standardError;
        return new TTestResult(t, degreesOfFreedom, StatisticsHelpers.UpperStudentTail(t, degreesOfFreedom), differences.Mean, standardError);
    }

    /// <summary>One-sided paired t-test of H1: the mean of <paramref name="differences"/> is greater than 0.</summary>
    /// <param name="differences">Per-row differences; at least 2.</param>
    /// <returns>As <see cref="OneSidedGreater(SampleSummary)"/>; a NaN difference makes every field NaN.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 differences (including empty).</exception>
    public static TTestResult OneSidedGreater(ReadOnlySpan<double> differences) =>
        OneSidedGreater(SampleSummary.Of(differences));

    /// <summary>
    /// One-sided paired t-test of H1: mean(<paramref name="first"/>[i] − <paramref name="second"/>[i]) &gt; 0,
    /// e.g. the old model's per-row losses minus the new model's on the same rows.
    /// </summary>
    /// <param name="first">Per-row values of the first measurement; at least 2.</param>
    /// <param name="second">Per-row values of the second measurement, same length and row order as <paramref name="first"/>.</param>
    /// <returns>As <see cref="OneSidedGreater(SampleSummary)"/>; differences are formed and accumulated in double precision,
    /// and a NaN value makes every field NaN.</returns>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 pairs (including empty).</exception>
    public static TTestResult OneSidedGreater(ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        if (first.Length != second.Length)
        {
            throw new ArgumentException("Paired samples must have the same length.", nameof(second));
        }

        var accumulator = new WelfordAccumulator();
        for (var i = 0; i < first.Length; i++)
        {
            accumulator.Add((double)first[i] - second[i]);
        }

        var summary = accumulator.ToSummary();
        if (summary.Count < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first.Length, "A paired t-test needs at least two pairs.");
        }

        return OneSidedGreater(summary);
    }
}
