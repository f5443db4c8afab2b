using MathNet.Numerics;

namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// Fisher's exact test for 2×2 tables of counts, used when a group is too small for the z-test.
/// </summary>
public static class FisherExact
{
    // A term this small relative to the running total cannot change the double result.
    private const double NegligibleRelativeTerm = 1e-17;

    /// <summary>
    /// One-sided Fisher exact test of H1: the proportion in group 1 is greater than in group 2.
    /// The p-value is P(X ≥ x1) where X is hypergeometric with the table's margins: population n1 + n2,
    /// x1 + x2 successes in it, n1 draws.
    /// </summary>
    /// <param name="x1">Successes (errors) in group 1, 0 ≤ x1 ≤ n1.</param>
    /// <param name="n1">Rows in group 1, n1 ≥ 0.</param>
    /// <param name="x2">Successes in group 2, 0 ≤ x2 ≤ n2.</param>
    /// <param name="n2">Rows in group 2, n2 ≥ 0.</param>
    /// <returns>
    /// <see cref="TestResult.Statistic"/> is the observed count x1; the p-value is in [0, 1] and is 1 when x1 is at
    /// or below the smallest value the margins allow (including empty groups). Tail probabilities below about
    /// 1e-308 underflow to 0.
    /// </returns>
    /// <remarks>
    /// Robust for populations of millions of rows: the probability of one table is evaluated in log space through
    /// log-gamma, and neighbouring tables follow from the exact ratio of consecutive hypergeometric terms, so the
    /// sum only visits the tables that contribute (a few standard deviations' worth) and never overflows.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A count is negative, or a success count exceeds its group size.
    /// </exception>
    public static TestResult OneSidedGreater(int x1, int n1, int x2, int n2)
    {
        StatisticsHelpers.CheckCount(x1, n1, nameof(x1), nameof(n1));
        StatisticsHelpers.CheckCount(x2, n2, nameof(x2), nameof(n2));
        return new TestResult(x1, UpperTail(x1, n1, (long)x1 + x2, (long)n1 + n2));
    }

    /// <summary>P(X ≥ k) for X ~ Hypergeometric(population, successes, draws).</summary>
    private static double UpperTail(long k, long draws, long successes, long population)
    {
        var failures = population - successes;
        var minimum = Math.Max(0, draws - failures);
        var maximum = Math.Min(draws, successes);
        if (k <= minimum)
        {
            return 1.0;
        }

        // Sum outward from the larger of k and the mode. The pmf is unimodal, so the terms shrink in both directions,
        // stay within (0, 1] relative to the first one (no overflow), and each walk stops once they are negligible.
        // The hypergeometric mode is ⌊(draws + 1)(successes + 1) / (population + 2)⌋; the product is formed in
        // double because it can exceed long for int-sized margins, and being off by one only costs a few terms.
        var mode = Math.Clamp((long)Math.Floor((draws + 1.0) * (successes + 1.0) / (population + 2.0)), minimum, maximum);
        var start = Math.Max(k, mode);
        var logStart = LogChoose(successes, start) + LogChoose(failures, draws - start) - LogChoose(population, draws);

        var sum = 1.0;
        var term = 1.0;
        for (var j = start; j < maximum; j++)
        {
            // P(j + 1) / P(j) for the hypergeometric distribution.
            term *= (double)(successes - j) * (draws - j) / ((double)(j + 1) * (failures - draws + j + 1));
            sum += term;
            if (term < sum * NegligibleRelativeTerm)
            {
                break;
            }
        }

        term = 1.0;
        for (var j = start; j > k; j--)
        {
            // P(j − 1) / P(j); below the mode these shrink as j decreases.
            term *= (double)j * (failures - draws + j) / ((double)(successes - j + 1) * (draws - j + 1));
            sum += term;
            if (term < sum * NegligibleRelativeTerm)
            {
                break;
            }
        }

        return Math.Clamp(Math.Exp(logStart) * sum, 0.0, 1.0);
    }

    private static double LogChoose(long n, long k) =>
        SpecialFunctions.GammaLn(n + 1.0) - SpecialFunctions.GammaLn(k + 1.0) - SpecialFunctions.GammaLn(n - k + 1.0);
}
