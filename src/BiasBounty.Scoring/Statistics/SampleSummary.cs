namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// Summary statistics of a sample: size, mean and unbiased (n − 1) variance. The input of the t-tests.
/// </summary>
/// <param name="Count">Number of observations.</param>
/// <param name="Mean">Sample mean; NaN for an empty sample.</param>
/// <param name="Variance">Sample variance with denominator n − 1; NaN when <paramref name="Count"/> &lt; 2.</param>
public readonly record struct SampleSummary(int Count, double Mean, double Variance)
{
    /// <summary>Summarises <paramref name="values"/> in one pass (Welford's algorithm).</summary>
    /// <param name="values">The sample. Empty gives Count 0 with NaN mean and variance.</param>
    /// <returns>The summary; any NaN value makes the mean and variance NaN.</returns>
    public static SampleSummary Of(ReadOnlySpan<double> values)
    {
        var accumulator = new WelfordAccumulator();
        foreach (var value in values)
        {
            accumulator.Add(value);
        }

        return accumulator.ToSummary();
    }

    /// <summary>Summarises <paramref name="values"/> in one pass, accumulating in double precision.</summary>
    /// <param name="values">The sample. Empty gives Count 0 with NaN mean and variance.</param>
    /// <returns>The summary; any NaN value makes the mean and variance NaN.</returns>
    public static SampleSummary Of(ReadOnlySpan<float> values)
    {
        var accumulator = new WelfordAccumulator();
        foreach (var value in values)
        {
            accumulator.Add(value);
        }

        return accumulator.ToSummary();
    }

    /// <summary>
    /// Summarises the rows of <paramref name="values"/> inside and outside a group in one pass.
    /// </summary>
    /// <param name="values">Per-row values (e.g. losses, float or double), accumulated in double precision.</param>
    /// <param name="inGroup">Per-row membership: <see langword="true"/> for the group, <see langword="false"/> for its complement.</param>
    /// <returns>Summaries of the group and of the complement; either may be empty (Count 0).</returns>
    /// <exception cref="ArgumentException">The two spans differ in length.</exception>
    public static (SampleSummary Group, SampleSummary Complement) Split<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> inGroup)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        if (values.Length != inGroup.Length)
        {
            throw new ArgumentException("The membership mask must have one entry per value.", nameof(inGroup));
        }

        var group = new WelfordAccumulator();
        var complement = new WelfordAccumulator();
        for (var i = 0; i < values.Length; i++)
        {
            if (inGroup[i])
            {
                group.Add(double.CreateTruncating(values[i]));
            }
            else
            {
                complement.Add(double.CreateTruncating(values[i]));
            }
        }

        return (group.ToSummary(), complement.ToSummary());
    }

    /// <summary>Throws unless the summary can feed a t-test: at least two observations and a non-negative variance.</summary>
    internal void CheckUsable(string paramName)
    {
        if (Count < 2)
        {
            throw new ArgumentOutOfRangeException(paramName, Count, "A t-test needs at least two observations per sample.");
        }

        if (Variance < 0.0)
        {
            throw new ArgumentOutOfRangeException(paramName, Variance, "A variance cannot be negative.");
        }
    }

    internal bool HasNaN => double.IsNaN(Mean) || double.IsNaN(Variance);
}
