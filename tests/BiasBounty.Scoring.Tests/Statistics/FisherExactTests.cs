using System.Diagnostics;
using BiasBounty.Scoring.Statistics;
using FsCheck;
using FsCheck.Fluent;

namespace BiasBounty.Scoring.Tests.Statistics;

public class FisherExactTests
{
    [Fact]
    public void OneSidedGreater_MatchesSpecVector_For6Of40Vs50Of1000()
    {
        var result = FisherExact.OneSidedGreater(6, 40, 50, 1000);

        Assert.Equal(0.0171321, result.PValue, 1e-6);
        // mpmath, 40 digits, direct sum of hypergeometric terms.
        Assert.Equal(0.017132083529616455704, result.PValue, 1e-13);
        Assert.Equal(6.0, result.Statistic);
    }

    [Fact]
    public void OneSidedGreater_MatchesExactIntegerSum_OnSmallTables()
    {
        var tables = Gen.Choose(0, 40).SelectMany(n1 => Gen.Choose(0, 40).SelectMany(n2 =>
            Gen.Choose(0, n1).SelectMany(x1 => Gen.Choose(0, n2).Select(x2 => (x1, n1, x2, n2)))));

        Prop.ForAll(tables.ToArbitrary(), table =>
        {
            var (x1, n1, x2, n2) = table;
            var expected = BruteForce.FisherUpperTail(x1, n1, x2, n2);
            var actual = FisherExact.OneSidedGreater(x1, n1, x2, n2).PValue;
            return Math.Abs(actual - expected) <= 1e-12 * Math.Max(expected, 1e-300) + 1e-15;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void OneSidedGreater_IsOne_WhenObservedCountIsAtTheMinimumTheMarginsAllow()
    {
        Assert.Equal(1.0, FisherExact.OneSidedGreater(0, 40, 50, 1000).PValue);
        Assert.Equal(1.0, FisherExact.OneSidedGreater(0, 0, 5, 10).PValue);
        Assert.Equal(1.0, FisherExact.OneSidedGreater(0, 0, 0, 0).PValue);
        // 10 rows in group 1, 3 non-errors overall: at least 7 of group 1's rows must be errors.
        Assert.Equal(1.0, FisherExact.OneSidedGreater(7, 10, 5, 5).PValue);
    }

    [Fact]
    public void OneSidedGreater_FinishesAndAgreesWithZTest_OnAMillionRows()
    {
        var stopwatch = Stopwatch.StartNew();
        var fisher = FisherExact.OneSidedGreater(600, 100_000, 5_000, 900_000);
        stopwatch.Stop();
        var z = Proportions.PooledTwoProportionZ(600, 100_000, 5_000, 900_000);

        // mpmath, 40 digits, log-gamma terms summed from x1 upward: 0.0398501759394531968.
        Assert.Equal(0.039850175939453197, fisher.PValue, 1e-10);
        // The z-test gives 0.0369888; at this sample size the two should agree within about 10 %.
        Assert.InRange(fisher.PValue / z.PValue, 0.9, 1.2);
        Assert.True(stopwatch.ElapsedMilliseconds < 1000, $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void OneSidedGreater_KeepsRelativeAccuracy_InTheFarTailOnAMillionRows()
    {
        // mpmath reference 1.31502111644131649e-8.
        var result = FisherExact.OneSidedGreater(700, 100_000, 5_000, 900_000);

        Assert.Equal(1.0, result.PValue / 1.31502111644131649e-8, 1e-7);
    }

    [Fact]
    public void OneSidedGreater_IsNearOne_WhenObservedCountIsWellBelowTheMode()
    {
        // mpmath reference 0.99999999998644856606.
        var result = FisherExact.OneSidedGreater(400, 100_000, 5_000, 900_000);

        Assert.Equal(0.99999999998644856606, result.PValue, 1e-10);
    }

    [Theory]
    [InlineData(-1, 40, 50, 1000, "x1")]
    [InlineData(41, 40, 50, 1000, "x1")]
    [InlineData(0, -1, 50, 1000, "n1")]
    [InlineData(6, 40, -1, 1000, "x2")]
    [InlineData(6, 40, 50, 49, "x2")]
    [InlineData(6, 40, 0, -2, "n2")]
    public void OneSidedGreater_RejectsInvalidCounts_NamingTheParameter(int x1, int n1, int x2, int n2, string parameter)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => FisherExact.OneSidedGreater(x1, n1, x2, n2));
        Assert.Equal(parameter, exception.ParamName);
    }
}
