using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class McNemarTests
{
    [Fact]
    public void ExactOneSided_MatchesSpecVector_For25And10()
    {
        var result = McNemar.ExactOneSided(25, 10);

        Assert.Equal(0.00833692, result.PValue, 1e-6);
        // Exact: 286,454,524 / 2^35 (sum of C(35, k) for k ≥ 25).
        Assert.Equal(0.008336923900060355663, result.PValue, 1e-14);
        Assert.Equal(25.0, result.Statistic);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 7)]
    public void ExactOneSided_ReturnsPOne_WhenNoDiscordantPairFavoursTheFix(int b, int c)
    {
        Assert.Equal(1.0, McNemar.ExactOneSided(b, c).PValue);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(5, 5)]
    [InlineData(12, 3)]
    [InlineData(3, 12)]
    [InlineData(60, 40)]
    [InlineData(150, 50)]
    public void ExactOneSided_MatchesExactIntegerSum(int b, int c)
    {
        var expected = BruteForce.BinomialHalfUpperTail(b, c);

        Assert.Equal(1.0, McNemar.ExactOneSided(b, c).PValue / expected, 1e-11);
    }

    [Theory]
    // Exact references: Σ C(100000, k) / 2^100000 over k ≥ b, computed with Python integers.
    [InlineData(50_500, 49_500, 0.000791179939425797822)]
    [InlineData(50_001, 49_999, 0.498738436892901630057)]
    [InlineData(49_000, 51_000, 0.999999999875758857293)]
    public void ExactOneSided_StaysAccurate_ForOneHundredThousandDiscordantPairs(int b, int c, double expected)
    {
        Assert.Equal(expected, McNemar.ExactOneSided(b, c).PValue, 1e-9);
    }

    [Theory]
    [InlineData(-1, 10, "b")]
    [InlineData(10, -1, "c")]
    public void ExactOneSided_RejectsNegativeCounts_NamingTheParameter(int b, int c, string parameter)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => McNemar.ExactOneSided(b, c));
        Assert.Equal(parameter, exception.ParamName);
    }
}
