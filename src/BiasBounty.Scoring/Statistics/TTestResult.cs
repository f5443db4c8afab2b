namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// The outcome of a one-sided t-test, with what is needed for a matching two-sided confidence interval.
/// </summary>
/// <param name="Statistic">The t statistic, Difference / StandardError.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom (Welch–Satterthwaite for two samples, n − 1 for paired).</param>
/// <param name="PValue">One-sided p-value P(T ≥ t), in [0, 1]; NaN only when the data contained NaN.</param>
/// <param name="Difference">The estimated mean difference (sample 1 − sample 2, or the mean paired difference).</param>
/// <param name="StandardError">The standard error of <paramref name="Difference"/>.</param>
public readonly record struct TTestResult(
    double Statistic,
    double DegreesOfFreedom,
    double PValue,
    double Difference,
    double StandardError)
{
    /// <summary>
    /// The two-sided Student t confidence interval Difference ± t(df, (1 + confidence)/2) · StandardError.
    /// </summary>
    /// <param name="confidence">Two-sided confidence level, strictly between 0 and 1.</param>
    /// <returns>
    /// The interval; a single point when the standard error is 0; NaN bounds when the result is NaN.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="confidence"/> is not in (0, 1) or is NaN.</exception>
    public Interval ConfidenceInterval(double confidence = 0.95)
    {
        StatisticsHelpers.CheckConfidence(confidence, nameof(confidence));
        if (double.IsNaN(Difference) || double.IsNaN(StandardError) || double.IsNaN(DegreesOfFreedom))
        {
            return new Interval(double.NaN, double.NaN);
        }

        if (StandardError == 0.0)
        {
            return new Interval(Difference, Difference);
        }

        var halfWidth = StatisticsHelpers.TwoSidedStudentQuantile(confidence, DegreesOfFreedom) * StandardError;
        return new Interval(Difference - halfWidth, Difference + halfWidth);
    }

    internal static TTestResult NaN => new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
}
