using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class ProportionsTests
{
    // SCORING.md vectors are given to six significant figures; the high-precision references were computed
    // independently with mpmath at 40 digits from the closed-form Wilson, Newcombe and pooled-z formulas.
    private const double SpecTolerance = 1e-6;
    private const double ReferenceTolerance = 1e-12;

    [Fact]
    public void Wilson_MatchesSpecVector_For10Of100()
    {
        var interval = Proportions.Wilson(10, 100);

        Assert.Equal(0.0552291, interval.Lower, SpecTolerance);
        Assert.Equal(0.174366, interval.Upper, SpecTolerance);
        Assert.Equal(0.0552291370606750851, interval.Lower, ReferenceTolerance);
        Assert.Equal(0.1743656615049134626, interval.Upper, ReferenceTolerance);
    }

    [Fact]
    public void Wilson_MatchesSpecVector_For0Of30()
    {
        var interval = Proportions.Wilson(0, 30);

        Assert.Equal(0.0, interval.Lower);
        Assert.Equal(0.113513, interval.Upper, SpecTolerance);
        Assert.Equal(0.1135133931739687741, interval.Upper, ReferenceTolerance);
    }

    [Fact]
    public void Wilson_PinsUpperBoundToOne_WhenAllAreSuccesses()
    {
        var interval = Proportions.Wilson(30, 30);

        Assert.Equal(1.0, interval.Upper);
        Assert.Equal(1.0 - 0.1135133931739687741, interval.Lower, ReferenceTolerance);
    }

    [Fact]
    public void Wilson_ReturnsUnitInterval_WhenNIsZero()
    {
        Assert.Equal(new Interval(0.0, 1.0), Proportions.Wilson(0, 0));
    }

    [Fact]
    public void Wilson_NarrowsAsConfidenceDrops()
    {
        var wide = Proportions.Wilson(10, 100, 0.99);
        var narrow = Proportions.Wilson(10, 100, 0.80);

        Assert.True(wide.Lower < narrow.Lower && narrow.Upper < wide.Upper);
    }

    [Theory]
    [InlineData(-1, 10, "successes")]
    [InlineData(0, -1, "n")]
    [InlineData(11, 10, "successes")]
    public void Wilson_RejectsInvalidCounts_NamingTheParameter(int successes, int n, string parameter)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(successes, n));
        Assert.Equal(parameter, exception.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Wilson_RejectsConfidenceOutsideOpenUnitInterval(double confidence)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(1, 10, confidence));
        Assert.Equal("confidence", exception.ParamName);
    }

    [Fact]
    public void NewcombeDifference_MatchesSpecVector()
    {
        var interval = Proportions.NewcombeDifference(30, 200, 400, 4800);

        Assert.Equal(0.0230336, interval.Lower, SpecTolerance);
        Assert.Equal(0.123221, interval.Upper, SpecTolerance);
        Assert.Equal(0.0230335541123038087, interval.Lower, ReferenceTolerance);
        Assert.Equal(0.1232205910820494885, interval.Upper, ReferenceTolerance);
    }

    [Fact]
    public void NewcombeDifference_IsMirrored_WhenGroupsSwap()
    {
        var forward = Proportions.NewcombeDifference(30, 200, 400, 4800);
        var backward = Proportions.NewcombeDifference(400, 4800, 30, 200);

        Assert.Equal(-forward.Upper, backward.Lower, ReferenceTolerance);
        Assert.Equal(-forward.Lower, backward.Upper, ReferenceTolerance);
    }

    [Theory]
    [InlineData(-1, 10, 1, 10, "x1")]
    [InlineData(11, 10, 1, 10, "x1")]
    [InlineData(0, 0, 1, 10, "n1")]
    [InlineData(1, 10, -1, 10, "x2")]
    [InlineData(1, 10, 1, -10, "n2")]
    [InlineData(1, 10, 0, 0, "n2")]
    public void NewcombeDifference_RejectsInvalidCounts_NamingTheParameter(int x1, int n1, int x2, int n2, string parameter)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.NewcombeDifference(x1, n1, x2, n2));
        Assert.Equal(parameter, exception.ParamName);
    }

    [Fact]
    public void PooledTwoProportionZ_MatchesSpecVector()
    {
        var result = Proportions.PooledTwoProportionZ(30, 200, 400, 4800);

        Assert.Equal(3.29486, result.Statistic, SpecTolerance);
        Assert.Equal(0.000492353, result.PValue, SpecTolerance);
        Assert.Equal(3.2948604995248834, result.Statistic, ReferenceTolerance);
        Assert.Equal(0.00049235274925209750, result.PValue, 1e-15);
    }

    [Fact]
    public void PooledTwoProportionZ_GivesLargePValue_WhenGroupHasFewerErrors()
    {
        var result = Proportions.PooledTwoProportionZ(400, 4800, 30, 200);

        Assert.Equal(-3.2948604995248834, result.Statistic, ReferenceTolerance);
        Assert.Equal(1.0 - 0.00049235274925209750, result.PValue, ReferenceTolerance);
    }

    [Theory]
    [InlineData(0, 10, 0, 20)]
    [InlineData(10, 10, 20, 20)]
    public void PooledTwoProportionZ_ReturnsZeroAndPOne_WhenPooledVarianceIsZero(int x1, int n1, int x2, int n2)
    {
        Assert.Equal(new TestResult(0.0, 1.0), Proportions.PooledTwoProportionZ(x1, n1, x2, n2));
    }

    [Theory]
    [InlineData(-1, 10, 1, 10, "x1")]
    [InlineData(5, 4, 1, 10, "x1")]
    [InlineData(0, 0, 1, 10, "n1")]
    [InlineData(1, 10, 11, 10, "x2")]
    [InlineData(1, 10, 0, -3, "n2")]
    public void PooledTwoProportionZ_RejectsInvalidCounts_NamingTheParameter(int x1, int n1, int x2, int n2, string parameter)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.PooledTwoProportionZ(x1, n1, x2, n2));
        Assert.Equal(parameter, exception.ParamName);
    }
}
