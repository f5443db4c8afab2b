using System.Text.Json;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class AlphaInvestingLedgerTests
{
    [Fact]
    public void Start_GivesHalfTheFdrTargetAsWealth_AndCapsTheFirstLevel()
    {
        var ledger = AlphaInvestingLedger.Start();

        Assert.Equal(0.05, ledger.FdrAlpha);
        Assert.Equal(0.025, ledger.Wealth, 1e-15);
        // 0.025 / (2 · 1.025) = 0.0122 is above the 0.01 cap.
        Assert.Equal(0.01, ledger.NextLevel);
        Assert.Equal(0, ledger.TestsRun);
        Assert.Equal(0, ledger.TestsVerified);
        Assert.False(ledger.IsSpent);
    }

    [Fact]
    public void Record_FollowsTheSpecArithmetic_OverASequenceOfOutcomes()
    {
        // Each row: outcome, level the test ran at, wealth afterwards. Computed with mpmath at 40 digits from
        // α_t = min(W / (2(1 + W)), 0.01); verified: W += 0.025; failed: W −= α_t / (1 − α_t).
        (bool Verified, double Level, double WealthAfter)[] steps =
        [
            (false, 0.01, 0.014898989898989899),
            (true, 0.0073401343617815377, 0.039898989898989899),
            (false, 0.01, 0.029797979797979798),
            (false, 0.01, 0.019696969696969697),
            (true, 0.0096582466567607727, 0.044696969696969697),
            (false, 0.01, 0.034595959595959596),
        ];

        var ledger = AlphaInvestingLedger.Start(0.05);
        foreach (var (verified, level, wealthAfter) in steps)
        {
            Assert.Equal(level, ledger.NextLevel, 1e-15);
            ledger = ledger.Record(verified);
            Assert.Equal(wealthAfter, ledger.Wealth, 1e-15);
        }

        Assert.Equal(6, ledger.TestsRun);
        Assert.Equal(2, ledger.TestsVerified);
    }

    [Fact]
    public void Record_LeavesTheOriginalLedgerUnchanged()
    {
        var start = AlphaInvestingLedger.Start();

        var next = start.Record(verified: false);

        Assert.Equal(0.025, start.Wealth, 1e-15);
        Assert.Equal(0, start.TestsRun);
        Assert.NotEqual(start, next);
    }

    [Fact]
    public void IsSpent_BecomesTrue_After34ConsecutiveFailuresFromTheDefaultStart()
    {
        var ledger = AlphaInvestingLedger.Start();
        for (var i = 0; i < 33; i++)
        {
            ledger = ledger.Record(verified: false);
        }

        Assert.False(ledger.IsSpent);
        ledger = ledger.Record(verified: false);

        Assert.True(ledger.IsSpent);
        Assert.True(ledger.Wealth > 0.0, "wealth decays geometrically but never reaches zero");
        Assert.True(ledger.NextLevel <= AlphaInvestingLedger.MinimumLevel);
        Assert.Throws<InvalidOperationException>(() => ledger.Record(verified: true));
    }

    [Fact]
    public void IsSpent_IsTrue_WhenWealthIsZero()
    {
        var ledger = new AlphaInvestingLedger(0.05, 0.0, 10, 0);

        Assert.True(ledger.IsSpent);
        Assert.Equal(0.0, ledger.NextLevel);
    }

    [Fact]
    public void Ledger_RoundTripsThroughSystemTextJson_WithDefaultAndWebOptions()
    {
        var ledger = AlphaInvestingLedger.Start().Record(false).Record(true).Record(false);

        foreach (var options in new[] { JsonSerializerOptions.Default, JsonSerializerOptions.Web })
        {
            var json = JsonSerializer.Serialize(ledger, options);
            var restored = JsonSerializer.Deserialize<AlphaInvestingLedger>(json, options);

            Assert.Equal(ledger, restored);
            Assert.DoesNotContain("NextLevel", json, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Deserialize_RejectsInvalidStoredState()
    {
        const string json = """{"FdrAlpha":0.05,"Wealth":-1,"TestsRun":0,"TestsVerified":0}""";

        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSerializer.Deserialize<AlphaInvestingLedger>(json));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Start_RejectsFdrTargetOutsideOpenUnitInterval(double fdrAlpha)
    {
        Assert.Equal("fdrAlpha", Assert.Throws<ArgumentOutOfRangeException>(() => AlphaInvestingLedger.Start(fdrAlpha)).ParamName);
    }

    [Fact]
    public void Constructor_And_With_ValidateEveryProperty()
    {
        var ledger = AlphaInvestingLedger.Start();

        Assert.Equal("Wealth", Assert.Throws<ArgumentOutOfRangeException>(() => ledger with { Wealth = double.NaN }).ParamName);
        Assert.Equal("TestsRun", Assert.Throws<ArgumentOutOfRangeException>(() => ledger with { TestsRun = -1 }).ParamName);
        Assert.Equal("FdrAlpha", Assert.Throws<ArgumentOutOfRangeException>(() => new AlphaInvestingLedger(1.5, 0.1, 0, 0)).ParamName);
        Assert.Equal("testsVerified", Assert.Throws<ArgumentOutOfRangeException>(() => new AlphaInvestingLedger(0.05, 0.1, 1, 2)).ParamName);
    }
}
