using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class PairedTTests
{
    private static readonly double[] Differences = [0.2, -0.1, 0.35, 0.05, 0.15, 0.0, 0.25, 0.1];

    // Reference computed with mpmath at 40 digits: mean 0.125, SE = s/√8, df 7, P(T ≥ t) = ½ I_{7/(7+t²)}(3.5, ½).
    private const double ExpectedT = 2.4565184222025874;
    private const double ExpectedP = 0.021843860604433834;
    private const double ExpectedStandardError = 0.050885024459910740;

    [Fact]
    public void OneSidedGreater_MatchesIndependentReference_OnDifferences()
    {
        var result = PairedT.OneSidedGreater(Differences);

        Assert.Equal(ExpectedT, result.Statistic, 1e-12);
        Assert.Equal(7.0, result.DegreesOfFreedom);
        Assert.Equal(ExpectedP, result.PValue, 1e-14);
        Assert.Equal(0.125, result.Difference, 1e-15);
        Assert.Equal(ExpectedStandardError, result.StandardError, 1e-15);
    }

    [Fact]
    public void OneSidedGreater_FromSummary_MatchesSpanOverload()
    {
        var mean = Differences.Average();
        var variance = Differences.Sum(d => (d - mean) * (d - mean)) / (Differences.Length - 1);

        var result = PairedT.OneSidedGreater(new SampleSummary(Differences.Length, mean, variance));

        Assert.Equal(ExpectedT, result.Statistic, 1e-12);
        Assert.Equal(ExpectedP, result.PValue, 1e-14);
    }

    [Fact]
    public void OneSidedGreater_OnPairedFloatLosses_TestsFirstMinusSecond()
    {
        float[] oldLosses = [0.5f, 0.4f, 0.9f, 0.3f, 0.65f, 0.2f, 0.75f, 0.6f];
        var newLosses = oldLosses.Select((loss, i) => (float)(loss - Differences[i])).ToArray();

        var result = PairedT.OneSidedGreater(oldLosses, newLosses);

        Assert.Equal(ExpectedT, result.Statistic, 1e-5);
        Assert.Equal(ExpectedP, result.PValue, 1e-7);
    }

    [Fact]
    public void ConfidenceInterval_MatchesIndependentReference()
    {
        var interval = PairedT.OneSidedGreater(Differences).ConfidenceInterval();

        // mpmath: 0.125 ± t(7, 0.975) · SE.
        Assert.Equal(0.0046760371192029906, interval.Lower, 1e-9);
        Assert.Equal(0.24532396288079701, interval.Upper, 1e-9);
    }

    [Fact]
    public void OneSidedGreater_IsConservative_WhenDifferencesAreConstant()
    {
        var result = PairedT.OneSidedGreater([0.2, 0.2, 0.2]);

        Assert.Equal(0.0, result.Statistic);
        Assert.Equal(1.0, result.PValue);
        Assert.Equal(0.2, result.Difference, 1e-15);
    }

    [Fact]
    public void OneSidedGreater_ReturnsNaN_WhenADifferenceIsNaN()
    {
        Assert.True(double.IsNaN(PairedT.OneSidedGreater([0.1, double.NaN, 0.3]).PValue));
    }

    [Fact]
    public void OneSidedGreater_RejectsFewerThanTwoDifferences()
    {
        Assert.Equal("differences", Assert.Throws<ArgumentOutOfRangeException>(() => PairedT.OneSidedGreater([0.5])).ParamName);
        Assert.Equal("differences", Assert.Throws<ArgumentOutOfRangeException>(() => PairedT.OneSidedGreater(ReadOnlySpan<double>.Empty)).ParamName);
    }

    [Fact]
    public void OneSidedGreater_RejectsPairedSpansOfDifferentLengths()
    {
        Assert.Throws<ArgumentException>("second", () => PairedT.OneSidedGreater(new float[3], new float[4]));
    }
}
