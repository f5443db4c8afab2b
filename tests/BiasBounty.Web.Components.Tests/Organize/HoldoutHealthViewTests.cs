using BiasBounty.Scoring.Statistics;
using BiasBounty.Web.Organize;

namespace BiasBounty.Web.Components.Tests.Organize;

public sealed class HoldoutHealthViewTests : BunitContext
{
    private static readonly AlphaInvestingLedger Fresh = AlphaInvestingLedger.Start(0.05);

    /// <summary>A ledger after <paramref name="failures"/> failed claims in a row (fewer if it is spent before).</summary>
    private static AlphaInvestingLedger Failed(int failures)
    {
        var ledger = Fresh;
        for (var i = 0; i < failures && !ledger.IsSpent; i++) ledger = ledger.Record(false);
        return ledger;
    }

    private IRenderedComponent<HoldoutHealthView> Show(AlphaInvestingLedger findings, AlphaInvestingLedger fixes, int used, double epsilon = 0.001) =>
        Render<HoldoutHealthView>(p => p.Add(x => x.Health, new HoldoutHealth(findings, fixes, new AcceptBudget(epsilon, used))));

    [Fact]
    public void Healthy_ShowsBothLedgersAndTheBudget_WithoutWarnings()
    {
        var cut = Show(Fresh.Record(true), Fresh, 3);

        Assert.Empty(cut.FindAll("[data-testid=holdout-warning]"));
        Assert.NotNull(cut.Find("[data-testid=holdout-healthy]"));
        Assert.Equal("0.05", cut.Find("[data-testid=alpha-wealth] tr[data-ledger=findings] td.wealth").TextContent);
        Assert.Equal("0.025", cut.Find("[data-testid=alpha-wealth] tr[data-ledger=fixes] td.wealth").TextContent);
        Assert.Equal("healthy", cut.Find("tr[data-ledger=fixes] td.state").TextContent);
        Assert.Equal("3 / 2,001", cut.Find("[data-testid=accept-budget]").TextContent);
    }

    [Fact]
    public void LowWealth_IsWarnedAbout_InPlainWords()
    {
        var low = Failed(3); // 0.025 → about 0.0046, below a quarter of the start
        Assert.True(HoldoutHealth.IsLow(low) && !low.IsSpent);

        var cut = Show(low, Fresh, 0);

        var warning = Assert.Single(cut.FindAll("[data-testid=holdout-warning]"));
        Assert.StartsWith("The findings ledger's alpha-wealth is low", warning.TextContent);
        Assert.Contains("Refreshing the holdout restarts the ledger", warning.TextContent);
        Assert.Equal("low", cut.Find("tr[data-ledger=findings] td.state").TextContent);
    }

    [Fact]
    public void SpentWealth_And_ABudgetNearlySpent_AreBothWarnedAbout()
    {
        var spent = Failed(40);
        Assert.True(spent.IsSpent);

        var cut = Show(Fresh, spent, 10, epsilon: 0.2); // capacity 11: 1 left, under a tenth

        var warnings = cut.FindAll("[data-testid=holdout-warning]").Select(w => w.TextContent).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.StartsWith("The accept budget is nearly spent: 1 of 11 accepts are left.", warnings[0]);
        Assert.StartsWith("The fixes ledger's alpha-wealth is spent", warnings[1]);
        Assert.Equal("10 / 11", cut.Find("[data-testid=accept-budget]").TextContent);
    }

    [Fact]
    public void ExhaustedBudget_SaysFixesAreRefused()
    {
        var cut = Show(Fresh, Fresh, 11, epsilon: 0.2);

        var warning = Assert.Single(cut.FindAll("[data-testid=holdout-warning]"));
        Assert.Contains("The accept budget is spent", warning.TextContent);
        Assert.Contains("New fixes are refused until you refresh the holdout", warning.TextContent);
    }
}
