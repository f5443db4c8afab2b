namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// A closed interval [<paramref name="Lower"/>, <paramref name="Upper"/>], used for confidence intervals.
/// </summary>
/// <param name="Lower">The lower bound.</param>
/// <param name="Upper">The upper bound; not less than <paramref name="Lower"/> for intervals this library returns
/// (both bounds are NaN when the inputs contained NaN).</param>
public readonly record struct Interval(double Lower, double Upper);
