using BiasBounty.Scoring.Engine;

namespace BiasBounty.Scoring.Tests.Engine;

public class DisclosureTests
{
    [Theory]
    [InlineData(14.99, null)]
    [InlineData(15.0, 20L)]
    [InlineData(24.9, 20L)]
    [InlineData(25.0, 30L)]
    [InlineData(99.4, 100L)]
    [InlineData(100.0, 100L)]
    [InlineData(124.9, 100L)]
    [InlineData(125.0, 150L)]
    [InlineData(999.0, 1000L)]
    [InlineData(1_049.0, 1000L)]
    [InlineData(1_050.0, 1100L)]
    [InlineData(9_949.0, 9900L)]
    [InlineData(12_345.6, 12350L)]
    [InlineData(987_654.0, 987700L)]
    [InlineData(-3.0, null)]
    public void RoundCount_FollowsTheCensusRoundingBands(double noisy, long? expected) =>
        Assert.Equal(expected, Disclosure.RoundCount(noisy));

    [Fact]
    public void RoundCount_WithholdsNaN() => Assert.Null(Disclosure.RoundCount(double.NaN));

    [Fact]
    public void LaplaceNoise_IsAPureFunctionOfItsSeed()
    {
        Assert.Equal(Disclosure.LaplaceNoise("mask-a", "group-size", 0.5), Disclosure.LaplaceNoise("mask-a", "group-size", 0.5));
        Assert.NotEqual(Disclosure.LaplaceNoise("mask-a", "group-size", 0.5), Disclosure.LaplaceNoise("mask-b", "group-size", 0.5));
        Assert.NotEqual(Disclosure.LaplaceNoise("mask-a", "group-size", 0.5), Disclosure.LaplaceNoise("mask-a", "group-loss", 0.5));
    }

    [Fact]
    public void LaplaceNoise_HasMeanZeroAndScaleOneOverEpsilon()
    {
        const int draws = 200_000;
        var samples = Enumerable.Range(0, draws).Select(i => Disclosure.LaplaceNoise($"seed-{i}", "count", 0.5)).ToArray();

        // Laplace(0, b = 2): mean 0, mean absolute deviation b, variance 2b² = 8.
        Assert.Equal(0, samples.Average(), 0.05);
        Assert.Equal(2, samples.Average(Math.Abs), 0.05);
        Assert.Equal(8, samples.Average(x => x * x), 0.2);
    }

    [Theory]
    [InlineData(30, 100, 30.0)]
    [InlineData(1, 3, 33.3)]
    [InlineData(-5, 100, 0.0)]
    [InlineData(120, 100, 100.0)]
    [InlineData(5, 0, 0.0)]
    public void ReleasedPercent_ClampsAndRoundsToOneDecimal(double numerator, double denominator, double expected) =>
        Assert.Equal(expected, Disclosure.ReleasedPercent(numerator, denominator));
}
