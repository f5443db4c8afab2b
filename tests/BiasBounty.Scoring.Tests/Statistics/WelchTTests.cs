using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class WelchTTests
{
    private static readonly double[] Group = [0.9, 0.7, 1.0, 0.4, 0.8, 0.95, 0.6];
    private static readonly double[] Complement = [0.3, 0.5, 0.2, 0.45, 0.6, 0.1, 0.35, 0.4, 0.25];

    // Reference computed with mpmath at 40 digits: means 5.35/7 and 0.35, unbiased variances, Welch–Satterthwaite df,
    // and P(T ≥ t) = ½ I_{df/(df+t²)}(df/2, ½).
    private const double ExpectedT = 4.3140864191724903;
    private const double ExpectedDf = 10.646409570668837;
    private const double ExpectedP = 0.00066104235799288556;
    private const double ExpectedDifference = 29.0 / 70.0;
    private const double ExpectedStandardError = 0.096030926141062516;

    [Fact]
    public void OneSidedGreater_MatchesIndependentReference_OnDoubleSamples()
    {
        var result = WelchT.OneSidedGreater(Group, Complement);

        Assert.Equal(ExpectedT, result.Statistic, 1e-12);
        Assert.Equal(ExpectedDf, result.DegreesOfFreedom, 1e-12);
        Assert.Equal(ExpectedP, result.PValue, 1e-14);
        Assert.Equal(ExpectedDifference, result.Difference, 1e-14);
        Assert.Equal(ExpectedStandardError, result.StandardError, 1e-14);
    }

    [Fact]
    public void OneSidedGreater_MatchesReference_OnFloatSamples()
    {
        // float inputs carry ~1e-8 representation error, so the tolerance is looser.
        var result = WelchT.OneSidedGreater(Array.ConvertAll(Group, v => (float)v), Array.ConvertAll(Complement, v => (float)v));

        Assert.Equal(ExpectedT, result.Statistic, 1e-6);
        Assert.Equal(ExpectedP, result.PValue, 1e-9);
    }

    [Fact]
    public void OneSidedGreater_FromSummaries_MatchesSpanOverload()
    {
        var fromSummaries = WelchT.OneSidedGreater(
            new SampleSummary(7, 5.35 / 7.0, SampleVariance(Group)),
            new SampleSummary(9, 0.35, SampleVariance(Complement)));

        Assert.Equal(ExpectedT, fromSummaries.Statistic, 1e-12);
        Assert.Equal(ExpectedP, fromSummaries.PValue, 1e-14);
    }

    [Fact]
    public void OneSidedGreater_GivesComplementaryPValue_WhenSamplesSwap()
    {
        var result = WelchT.OneSidedGreater(Complement, Group);

        Assert.Equal(-ExpectedT, result.Statistic, 1e-12);
        Assert.Equal(1.0 - ExpectedP, result.PValue, 1e-14);
    }

    [Fact]
    public void ConfidenceInterval_MatchesIndependentReference()
    {
        var interval = WelchT.OneSidedGreater(Group, Complement).ConfidenceInterval(0.95);

        // mpmath: difference ± t(df, 0.975) · SE.
        Assert.Equal(0.20206344640712999, interval.Lower, 1e-9);
        Assert.Equal(0.62650798216429858, interval.Upper, 1e-9);
    }

    [Fact]
    public void OneSidedGreater_IsConservative_WhenBothSamplesAreConstant()
    {
        var result = WelchT.OneSidedGreater([1.0, 1.0, 1.0], [0.0, 0.0]);

        Assert.Equal(0.0, result.Statistic);
        Assert.Equal(1.0, result.PValue);
        Assert.Equal(3.0, result.DegreesOfFreedom);
        Assert.Equal(new Interval(1.0, 1.0), result.ConfidenceInterval());
    }

    [Fact]
    public void OneSidedGreater_ReturnsNaN_WhenASampleContainsNaN()
    {
        var result = WelchT.OneSidedGreater([1.0, double.NaN, 0.5], Complement);

        Assert.True(double.IsNaN(result.Statistic));
        Assert.True(double.IsNaN(result.PValue));
        Assert.True(double.IsNaN(result.ConfidenceInterval().Lower));
    }

    [Fact]
    public void OneSidedGreater_RejectsSamplesWithFewerThanTwoValues_NamingTheSample()
    {
        Assert.Equal("sample1", Assert.Throws<ArgumentOutOfRangeException>(() => WelchT.OneSidedGreater([], Complement)).ParamName);
        Assert.Equal("sample2", Assert.Throws<ArgumentOutOfRangeException>(() => WelchT.OneSidedGreater(Group, [0.5])).ParamName);
    }

    [Fact]
    public void OneSidedGreater_RejectsNegativeVariance_NamingTheSample()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => WelchT.OneSidedGreater(new SampleSummary(5, 1.0, 0.1), new SampleSummary(5, 0.0, -0.1)));
        Assert.Equal("sample2", exception.ParamName);
    }

    [Fact]
    public void SampleSummary_Split_SummarisesGroupAndComplementInOnePass()
    {
        float[] values = [0.9f, 0.3f, 0.7f, 0.5f, 1.0f];
        bool[] inGroup = [true, false, true, false, true];

        var (group, complement) = SampleSummary.Split(values, inGroup);

        Assert.Equal(3, group.Count);
        Assert.Equal((0.9 + 0.7 + 1.0) / 3.0, group.Mean, 1e-7);
        Assert.Equal(SampleVariance([0.9, 0.7, 1.0]), group.Variance, 1e-7);
        Assert.Equal(2, complement.Count);
        Assert.Equal(0.4, complement.Mean, 1e-7);
        Assert.Throws<ArgumentException>("inGroup", () => SampleSummary.Split(values, inGroup.AsSpan(1)));
    }

    [Fact]
    public void SampleSummary_Of_StaysAccurate_WhenVarianceIsTinyNextToTheMean()
    {
        // 1e9 + {0, 1, 2, …, 9}: the naive Σx² − (Σx)²/n formula loses every digit here; the exact variance is 55/6.
        var values = Enumerable.Range(0, 10).Select(i => 1e9 + i).ToArray();

        Assert.Equal(55.0 / 6.0, SampleSummary.Of(values).Variance, 1e-6);
    }

    [Fact]
    public void SampleSummary_Of_ReturnsNaNMeanAndVariance_WhenEmpty()
    {
        var summary = SampleSummary.Of(ReadOnlySpan<double>.Empty);

        Assert.Equal(0, summary.Count);
        Assert.True(double.IsNaN(summary.Mean));
        Assert.True(double.IsNaN(summary.Variance));
    }

    private static double SampleVariance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
    }
}
