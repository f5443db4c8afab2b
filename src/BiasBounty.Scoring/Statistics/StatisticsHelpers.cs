using MathNet.Numerics.Distributions;

namespace BiasBounty.Scoring.Statistics;

/// <summary>Shared distribution helpers and argument checks for the statistics module.</summary>
internal static class StatisticsHelpers
{
    /// <summary>Throws unless 0 &lt; <paramref name="confidence"/> &lt; 1 (NaN is rejected).</summary>
    public static void CheckConfidence(double confidence, string paramName)
    {
        if (!(confidence > 0.0 && confidence < 1.0))
        {
            throw new ArgumentOutOfRangeException(paramName, confidence, "Confidence level must lie strictly between 0 and 1.");
        }
    }

    /// <summary>Throws unless 0 &lt;= <paramref name="successes"/> &lt;= <paramref name="n"/>.</summary>
    public static void CheckCount(int successes, int n, string successesName, string nName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n, nName);
        ArgumentOutOfRangeException.ThrowIfNegative(successes, successesName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, n, successesName);
    }

    /// <summary>The standard normal quantile z with P(|Z| ≤ z) = <paramref name="confidence"/>.</summary>
    public static double TwoSidedNormalQuantile(double confidence) =>
        Normal.InvCDF(0.0, 1.0, 0.5 + confidence / 2.0);

    /// <summary>The Student t quantile t with P(|T| ≤ t) = <paramref name="confidence"/>.</summary>
    public static double TwoSidedStudentQuantile(double confidence, double degreesOfFreedom) =>
        StudentT.InvCDF(0.0, 1.0, degreesOfFreedom, 0.5 + confidence / 2.0);

    // P(Z >= z) is evaluated as Φ(−z), never 1 − Φ(z): the subtraction would lose every significant
    // digit of small p-values, and alpha-investing levels go down to 1e-12.
    public static double UpperNormalTail(double z) => Normal.CDF(0.0, 1.0, -z);

    // Same reasoning as UpperNormalTail; MathNet evaluates the lower tail through the regularized
    // incomplete beta function, which keeps relative accuracy far out in the tail.
    public static double UpperStudentTail(double t, double degreesOfFreedom) =>
        StudentT.CDF(0.0, 1.0, degreesOfFreedom, -t);
}

/// <summary>
/// Neumaier's compensated summation. Summing a million per-row values naively loses about
/// log2(n) bits; the compensation term keeps the total accurate to a few ulps whatever the order.
/// </summary>
internal struct CompensatedSum
{
    private double _sum;
    private double _compensation;

    public void Add(double value)
    {
        var t = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - t) + value : (value - t) + _sum;
        _sum = t;
    }

    public readonly double Value => _sum + _compensation;
}

/// <summary>
/// Welford's one-pass mean and variance. The textbook Σx² − (Σx)²/n cancels catastrophically when
/// the variance is small next to the mean (e.g. losses near 1 that barely vary); updating the mean
/// and the centred sum of squares incrementally avoids that without a second pass over the data.
/// </summary>
internal struct WelfordAccumulator
{
    private int _count;
    private double _mean;
    private double _sumSquaredDeviations;

    public void Add(double value)
    {
        _count++;
        var delta = value - _mean;
        _mean += delta / _count;
        _sumSquaredDeviations += delta * (value - _mean);
    }

    public readonly SampleSummary ToSummary() => new(
        _count,
        _count > 0 ? _mean : double.NaN,
        _count > 1 ? _sumSquaredDeviations / (_count - 1) : double.NaN);
}
