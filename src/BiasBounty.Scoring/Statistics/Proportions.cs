namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// Intervals and tests for binomial proportions (error rates counted as errors out of rows).
/// </summary>
/// <remarks>
/// Counts are plain <see cref="int"/>s, so NaN cannot occur. Every method validates its counts:
/// a negative count, or successes greater than trials, throws <see cref="ArgumentOutOfRangeException"/>
/// naming the offending parameter.
/// </remarks>
public static class Proportions
{
    /// <summary>
    /// The Wilson score interval for a binomial proportion <paramref name="successes"/> / <paramref name="n"/>.
    /// </summary>
    /// <param name="successes">Number of successes (e.g. errors), 0 ≤ successes ≤ n.</param>
    /// <param name="n">Number of trials (rows), n ≥ 0.</param>
    /// <param name="confidence">Two-sided confidence level, strictly between 0 and 1.</param>
    /// <returns>
    /// The interval, clamped to [0, 1]; the lower bound is exactly 0 when successes = 0 and the upper bound
    /// exactly 1 when successes = n. With n = 0 there is no information and the result is [0, 1].
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="successes"/> or <paramref name="n"/> is negative, successes &gt; n, or
    /// <paramref name="confidence"/> is not in (0, 1) or is NaN.
    /// </exception>
    public static Interval Wilson(int successes, int n, double confidence = 0.95)
    {
        StatisticsHelpers.CheckCount(successes, n, nameof(successes), nameof(n));
        StatisticsHelpers.CheckConfidence(confidence, nameof(confidence));
        if (n == 0)
        {
            return new Interval(0.0, 1.0);
        }

        var z = StatisticsHelpers.TwoSidedNormalQuantile(confidence);
        var z2 = z * z;
        var p = (double)successes / n;
        var denominator = 1.0 + z2 / n;
        var centre = (p + z2 / (2.0 * n)) / denominator;
        var halfWidth = z / denominator * Math.Sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));

        // At the boundaries the bound is 0 (or 1) algebraically; pin it so rounding cannot leave 1e-17.
        var lower = successes == 0 ? 0.0 : Math.Max(0.0, centre - halfWidth);
        var upper = successes == n ? 1.0 : Math.Min(1.0, centre + halfWidth);
        return new Interval(lower, upper);
    }

    /// <summary>
    /// Newcombe's hybrid score interval (his method 10) for the difference of two independent proportions
    /// p1 − p2, built from the Wilson intervals of each proportion.
    /// </summary>
    /// <param name="x1">Successes in group 1, 0 ≤ x1 ≤ n1.</param>
    /// <param name="n1">Trials in group 1, n1 ≥ 1.</param>
    /// <param name="x2">Successes in group 2, 0 ≤ x2 ≤ n2.</param>
    /// <param name="n2">Trials in group 2, n2 ≥ 1.</param>
    /// <param name="confidence">Two-sided confidence level, strictly between 0 and 1.</param>
    /// <returns>An interval within [−1, 1] that contains the observed difference x1/n1 − x2/n2.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A count is negative, a success count exceeds its trials, n1 or n2 is zero (the difference is undefined),
    /// or <paramref name="confidence"/> is not in (0, 1) or is NaN.
    /// </exception>
    public static Interval NewcombeDifference(int x1, int n1, int x2, int n2, double confidence = 0.95)
    {
        CheckTwoGroups(x1, n1, x2, n2);
        StatisticsHelpers.CheckConfidence(confidence, nameof(confidence));

        var p1 = (double)x1 / n1;
        var p2 = (double)x2 / n2;
        var (l1, u1) = Wilson(x1, n1, confidence);
        var (l2, u2) = Wilson(x2, n2, confidence);
        var difference = p1 - p2;
        var lower = difference - Math.Sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
        var upper = difference + Math.Sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
        return new Interval(lower, upper);
    }

    /// <summary>
    /// One-sided pooled two-proportion z-test of H1: p1 &gt; p2.
    /// </summary>
    /// <param name="x1">Successes (errors) in group 1, 0 ≤ x1 ≤ n1.</param>
    /// <param name="n1">Trials in group 1, n1 ≥ 1.</param>
    /// <param name="x2">Successes in group 2, 0 ≤ x2 ≤ n2.</param>
    /// <param name="n2">Trials in group 2, n2 ≥ 1.</param>
    /// <returns>
    /// <see cref="TestResult.Statistic"/> is z = (p1 − p2) / √(p̂(1 − p̂)(1/n1 + 1/n2)) with the pooled p̂;
    /// the p-value is P(Z ≥ z). When the pooled variance is zero (no successes at all, or nothing but successes)
    /// the two proportions are equal and the result is z = 0, p = 1.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A count is negative, a success count exceeds its trials, or n1 or n2 is zero.
    /// </exception>
    public static TestResult PooledTwoProportionZ(int x1, int n1, int x2, int n2)
    {
        CheckTwoGroups(x1, n1, x2, n2);

        var pooled = ((double)x1 + x2) / ((double)n1 + n2);
        var variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
        if (variance <= 0.0)
        {
            return new TestResult(0.0, 1.0);
        }

        var z = ((double)x1 / n1 - (double)x2 / n2) / Math.Sqrt(variance);
        return new TestResult(z, StatisticsHelpers.UpperNormalTail(z));
    }

    private static void CheckTwoGroups(int x1, int n1, int x2, int n2)
    {
        StatisticsHelpers.CheckCount(x1, n1, nameof(x1), nameof(n1));
        StatisticsHelpers.CheckCount(x2, n2, nameof(x2), nameof(n2));
        ArgumentOutOfRangeException.ThrowIfZero(n1, nameof(n1));
        ArgumentOutOfRangeException.ThrowIfZero(n2, nameof(n2));
    }
}
