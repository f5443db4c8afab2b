namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// The outcome of a one-sided hypothesis test.
/// </summary>
/// <param name="Statistic">The test statistic; each test documents what it reports here
/// (a z score, or the observed count for exact tests).</param>
/// <param name="PValue">The one-sided p-value in [0, 1]. NaN only when the input data contained NaN,
/// so a comparison <c>PValue &lt;= alpha</c> is false and such a claim cannot verify.</param>
public readonly record struct TestResult(double Statistic, double PValue);
