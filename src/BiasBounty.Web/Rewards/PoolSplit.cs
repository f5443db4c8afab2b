using System.Numerics;

namespace BiasBounty.Web.Rewards;

/// <summary>
/// Splits a reward pool in proportion to points (docs/scoring-rules.md), to the cent, by the largest-remainder method: every
/// share is first rounded down to a cent, then the cents left over go one each to the largest remainders. The amounts
/// always add up to the pool exactly, and each differs from its exact proportional share by less than one cent.
/// </summary>
public static class PoolSplit
{
    /// <summary>
    /// The amount of every entry with points above zero (zero, negative and NaN points get nothing and are left out).
    /// Points are taken to one decimal, as <see cref="TeamPoints"/> rounds them. Ties between equal remainders go to the
    /// larger points, then to the smaller key, so the result never depends on the order of <paramref name="points"/>.
    /// Empty when nobody has points: there is nothing to split by.
    /// </summary>
    /// <param name="pool">The pool, 0 or more; a fraction of a cent below the pool's cents is not split.</param>
    public static IReadOnlyDictionary<TKey, decimal> Split<TKey>(decimal pool, IEnumerable<KeyValuePair<TKey, double>> points)
        where TKey : notnull, IComparable<TKey>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pool);
        // Exact integer arithmetic: tenths of a point and cents, so no floating-point error can lose or invent a cent.
        var tenths = points.Where(p => double.IsFinite(p.Value) && p.Value > 0)
            .Select(p => (p.Key, Tenths: new BigInteger(Math.Round(p.Value * 10, MidpointRounding.AwayFromZero))))
            .Where(p => p.Tenths > 0)
            .ToArray();
        var total = tenths.Aggregate(BigInteger.Zero, (sum, p) => sum + p.Tenths);
        if (total.IsZero) return new Dictionary<TKey, decimal>();

        var cents = new BigInteger(decimal.Floor(pool * 100));
        var shares = tenths.Select(p => (p.Key, p.Tenths, Floor: BigInteger.DivRem(cents * p.Tenths, total, out var remainder), Remainder: remainder))
            .ToArray();
        var leftover = (int)(cents - shares.Aggregate(BigInteger.Zero, (sum, s) => sum + s.Floor)); // fewer than the number of entries
        var extra = shares.OrderByDescending(s => s.Remainder).ThenByDescending(s => s.Tenths).ThenBy(s => s.Key)
            .Take(leftover).Select(s => s.Key).ToHashSet();
        return shares.ToDictionary(s => s.Key, s => (decimal)(s.Floor + (extra.Contains(s.Key) ? 1 : 0)) / 100m);
    }
}
