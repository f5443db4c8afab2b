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
        Show([new TeamLedgers("Auditors", findings, fixes)], used, epsilon);

    private IRenderedComponent<HoldoutHealthView> Show(TeamLedgers[] teams, int used, double epsilon = 0.001) =>
        Render<HoldoutHealthView>(p => p.Add(x => x.Health, new HoldoutHealth(teams, new AcceptBudget(epsilon, used), 0.05)));

    [Fact]
    public void Healthy_ShowsEachTeamsLedgersAndTheBudget_WithoutWarnings()
    {
        var cut = Show(Fresh.Record(true), Fresh, 3);

        Assert.Empty(cut.FindAll("[data-testid=holdout-warning]"));
        Assert.NotNull(cut.Find("[data-testid=holdout-healthy]"));
        Assert.Equal("0.05", cut.Find("[data-testid=alpha-wealth] tr[data-team=Auditors][data-ledger=findings] td.wealth").TextContent);
        Assert.Equal("0.025", cut.Find("[data-testid=alpha-wealth] tr[data-team=Auditors][data-ledger=fixes] td.wealth").TextContent);
        Assert.Equal("healthy", cut.Find("tr[data-team=Auditors][data-ledger=fixes] td.state").TextContent);
        Assert.Equal("3 / 2,001", cut.Find("[data-testid=accept-budget]").TextContent);
        Assert.Equal("1,998 left", cut.Find("[data-testid=accepts-left]").TextContent);
    }

    [Fact]
    public void ClaimsLeft_AreCountedFromTheLedgersRules_AndExplainedInPlainWords()
    {
        var cut = Show(Failed(3), Fresh, 0);

        // A fresh ledger pays for 34 failures in a row; after 3 of them, 31 are left.
        Assert.Equal(34, Fresh.FailuresUntilSpent);
        Assert.Equal("31", cut.Find("tr[data-team=Auditors][data-ledger=findings] td.left").TextContent);
        Assert.Equal("34", cut.Find("tr[data-team=Auditors][data-ledger=fixes] td.left").TextContent);
        Assert.Equal("34", cut.Find("tr[data-team=new] td.left").TextContent);
        Assert.Equal("0.01", cut.Find("tr[data-team=new] td:nth-child(4)").TextContent);
        var explanations = cut.Find("[data-testid=ledger-explanations]").TextContent;
        Assert.Contains("how many more claims the ledger can test before it is spent, if every one of them fails", explanations);
        Assert.Contains("what the ledger has left to pay for tests", explanations);
    }

    [Fact]
    public void LowWealth_IsWarnedAbout_NamingTheTeam()
    {
        var low = Failed(3); // 0.025 → about 0.0046, below a quarter of the start
        Assert.True(HoldoutHealth.IsLow(low) && !low.IsSpent);

        var cut = Show(low, Fresh, 0);

        var warning = Assert.Single(cut.FindAll("[data-testid=holdout-warning]"));
        Assert.StartsWith("One team has little findings alpha-wealth left (Auditors)", warning.TextContent);
        Assert.Contains("Refreshing the holdout restarts every ledger", warning.TextContent);
        Assert.Equal("low", cut.Find("tr[data-team=Auditors][data-ledger=findings] td.state").TextContent);
    }

    [Fact]
    public void SpentWealth_And_ABudgetNearlySpent_AreBothWarnedAbout()
    {
        var spent = Failed(40);
        Assert.True(spent.IsSpent);
        Assert.Equal(0, spent.FailuresUntilSpent);

        var cut = Show([new TeamLedgers("Fishers", Fresh, spent), new TeamLedgers("Trawlers", Fresh, spent), new TeamLedgers("Auditors", Fresh, Fresh)], 10, epsilon: 0.2);

        var warnings = cut.FindAll("[data-testid=holdout-warning]").Select(w => w.TextContent).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.StartsWith("The accept budget is nearly spent: 1 of 11 accepts are left.", warnings[0]);
        Assert.StartsWith("2 teams have spent their fixes ledger's alpha-wealth (Fishers, Trawlers)", warnings[1]);
        Assert.Contains("Other teams are not affected", warnings[1]);
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

    [Fact]
    public void NoTeamTestedYet_ShowsWhatANewTeamStartsWith()
    {
        var cut = Show([], 0);

        Assert.NotNull(cut.Find("[data-testid=holdout-healthy]"));
        var rows = cut.FindAll("[data-testid=alpha-wealth] tbody tr");
        Assert.Equal(["findings", "fixes"], rows.Select(r => r.GetAttribute("data-ledger")));
        Assert.All(rows, r => Assert.Equal("new", r.GetAttribute("data-team")));
    }

    [Fact]
    public void ManyTeams_ListTheOnesThatNeedAttentionFirst_AndAllOnRequest()
    {
        // 60 teams: one spent (named last alphabetically), one low, the rest healthy with different numbers of tests.
        var teams = Enumerable.Range(0, 58).Select(i => new TeamLedgers($"Team {i:00}", i % 3 == 0 ? Fresh.Record(true) : Fresh, Fresh))
            .Append(new TeamLedgers("Zz spent", Failed(100), Fresh))
            .Append(new TeamLedgers("Yy low", Fresh, Failed(3)))
            .ToArray();
        var cut = Show(teams, 0);

        Assert.StartsWith("60 teams with ledgers: 1 spent, 1 low, 58 healthy.", cut.Find("[data-testid=team-summary]").TextContent.Trim());
        var listed = cut.FindAll("[data-testid=alpha-wealth] tr[data-ledger=findings]").Select(r => r.GetAttribute("data-team")).Where(t => t != "new").ToArray();
        Assert.Equal(HoldoutHealth.TeamsListed, listed.Length);
        Assert.Equal(["Zz spent", "Yy low"], listed.Take(2));
        Assert.All(listed.Skip(2).Take(19), team => Assert.Equal(0, int.Parse(team!.AsSpan(5)) % 3)); // the most tested next
        Assert.Contains("Listed: the 50 that need attention first", cut.Find("[data-testid=team-summary]").TextContent);

        cut.Find("[data-testid=show-all-teams]").Click();

        Assert.Equal(60, cut.FindAll("[data-testid=alpha-wealth] tr[data-ledger=findings]").Count(r => r.GetAttribute("data-team") != "new"));
        Assert.Empty(cut.FindAll("[data-testid=show-all-teams]"));
    }

    [Fact]
    public void AFewTeams_AreAllListed_WithoutAShowAllButton()
    {
        var cut = Show([new TeamLedgers("Auditors", Fresh, Fresh), new TeamLedgers("Bystanders", Failed(100), Fresh)], 0);

        Assert.Equal("2 teams with ledgers: 1 spent, 0 low, 1 healthy.", cut.Find("[data-testid=team-summary]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=show-all-teams]"));
        Assert.Equal(["Bystanders", "Auditors"], cut.FindAll("[data-testid=alpha-wealth] tr[data-ledger=findings]").Select(r => r.GetAttribute("data-team")).Where(t => t != "new"));
    }
}
