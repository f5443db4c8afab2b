using System.Security.Cryptography;
using System.Text;

namespace BiasBounty.Scoring.Engine;

/// <summary>
/// The disclosure rules of docs/scoring-rules.md for numbers computed on the feedback part: seeded Laplace noise, then
/// census-style rounding. Noise is a pure function of (seed material, count name), so asking again for the same
/// group returns the same numbers and cannot be averaged away.
/// </summary>
public static class Disclosure
{
    /// <summary>
    /// Laplace noise of scale 1/ε, drawn deterministically from SHA-256(seed material, count name).
    /// </summary>
    public static double LaplaceNoise(string seedMaterial, string countName, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(seedMaterial + "\n" + countName));
        // 53 random bits give a uniform u in (0, 1); the +0.5 keeps it off both ends so the logarithm is finite.
        var bits = BitConverter.ToUInt64(digest, 0) >> 11;
        var u = (bits + 0.5) / (1UL << 53);
        var centred = u - 0.5;
        return -(1.0 / epsilon) * Math.Sign(centred) * Math.Log(1 - 2 * Math.Abs(centred));
    }

    /// <summary>
    /// Rounds a noisy count for release: null below <paramref name="minimum"/> (15); 15–99 to the nearest 10;
    /// 100–999 to the nearest 50; 1,000–9,999 to the nearest 100; then to 4 significant figures.
    /// </summary>
    public static long? RoundCount(double noisyCount, int minimum = 15)
    {
        if (double.IsNaN(noisyCount) || noisyCount < minimum) return null;
        var step = noisyCount switch
        {
            < 100 => 10.0,
            < 1_000 => 50.0,
            < 10_000 => 100.0,
            _ => Math.Pow(10, Math.Floor(Math.Log10(noisyCount)) - 3), // 4 significant figures
        };
        return (long)(Math.Round(noisyCount / step, MidpointRounding.AwayFromZero) * step);
    }

    /// <summary>A rate from noisy counts, clamped to [0, 1] and expressed in percent to one decimal.</summary>
    public static double ReleasedPercent(double noisyNumerator, double noisyDenominator) =>
        noisyDenominator <= 0 ? 0 : Math.Round(100 * Math.Clamp(noisyNumerator / noisyDenominator, 0, 1), 1, MidpointRounding.AwayFromZero);
}
