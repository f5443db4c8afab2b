using System.Numerics;

namespace BiasBounty.Scoring.Tests.Statistics;

/// <summary>Exact reference tails from integer binomial coefficients, for small inputs only.</summary>
internal static class BruteForce
{
    public static BigInteger Choose(int n, int k)
    {
        if (k < 0 || k > n)
        {
            return BigInteger.Zero;
        }

        BigInteger result = BigInteger.One;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    /// <summary>P(X ≥ x1) for the hypergeometric with the 2×2 table's margins, as an exact ratio rounded once.</summary>
    public static double FisherUpperTail(int x1, int n1, int x2, int n2)
    {
        var successes = x1 + x2;
        BigInteger numerator = BigInteger.Zero;
        for (var k = x1; k <= Math.Min(n1, successes); k++)
        {
            numerator += Choose(successes, k) * Choose(n1 + n2 - successes, n1 - k);
        }

        return Ratio(numerator, Choose(n1 + n2, n1));
    }

    /// <summary>P(Binomial(b + c, ½) ≥ b) as an exact ratio rounded once.</summary>
    public static double BinomialHalfUpperTail(int b, int c)
    {
        var n = b + c;
        BigInteger numerator = BigInteger.Zero;
        for (var k = b; k <= n; k++)
        {
            numerator += Choose(n, k);
        }

        return Ratio(numerator, BigInteger.Pow(2, n));
    }

    private static double Ratio(BigInteger numerator, BigInteger denominator)
    {
        // Scale so the quotient carries ~60 significant bits before the single conversion to double.
        var shift = (int)Math.Max(0, denominator.GetBitLength() - numerator.GetBitLength() + 64);
        return Math.ScaleB((double)((numerator << shift) / denominator), -shift);
    }
}
