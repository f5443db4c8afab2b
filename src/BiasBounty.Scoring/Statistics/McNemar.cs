using MathNet.Numerics;

namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// McNemar's test for paired 0/1 outcomes: does the new model fix more rows than it breaks?
/// </summary>
public static class McNemar
{
    /// <summary>
    /// Exact one-sided McNemar test of H1: discordant pairs favour <paramref name="b"/>.
    /// The p-value is P(Binomial(b + c, ½) ≥ b).
    /// </summary>
    /// <param name="b">Discordant rows where the old model is wrong and the new one right, b ≥ 0.</param>
    /// <param name="c">Discordant rows where the old model is right and the new one wrong, c ≥ 0.</param>
    /// <returns>
    /// <see cref="TestResult.Statistic"/> is the observed count b. The p-value is 1 when b = 0, including the case
    /// b + c = 0 where there is no evidence either way.
    /// </returns>
    /// <remarks>
    /// The binomial tail is evaluated as the regularized incomplete beta function I_½(b, c + 1), which stays
    /// accurate for b + c in the hundreds of thousands where summing binomial terms would be slow and lossy.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="b"/> or <paramref name="c"/> is negative.</exception>
    public static TestResult ExactOneSided(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b, nameof(b));
        ArgumentOutOfRangeException.ThrowIfNegative(c, nameof(c));
        if (b == 0)
        {
            return new TestResult(0.0, 1.0);
        }

        // P(X ≥ b) for X ~ Binomial(n, p) equals I_p(b, n − b + 1).
        var p = SpecialFunctions.BetaRegularized(b, c + 1.0, 0.5);
        return new TestResult(b, Math.Clamp(p, 0.0, 1.0));
    }
}
