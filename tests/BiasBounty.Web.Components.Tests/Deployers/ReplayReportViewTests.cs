using BiasBounty.Scoring.Replay;
using BiasBounty.Web.Deployers;

namespace BiasBounty.Web.Components.Tests.Deployers;

public sealed class ReplayReportViewTests : BunitContext
{
    private static GroupError Group(string expression, ReplayGroupSource source, double error, bool lastMile) =>
        new(expression, source, 250, error, error - 0.04, error + 0.05, 0.15, lastMile ? 1e-6 : 0.4, lastMile ? 1e-5 : 0.9, lastMile, lastMile ? false : null, lastMile);

    private static readonly ReplayReport Report = new("error", 4_000, 4_000,
    [
        new VersionReplay(0, 4_000, 0.18, 0.17, 0.19, [Group("race == \"Black\"", ReplayGroupSource.Protected, 0.52, lastMile: true), Group("sex == \"Male\"", ReplayGroupSource.Protected, 0.17, false)]),
        new VersionReplay(1, 4_000, 0.16, 0.15, 0.17, [Group("race == \"Black\"", ReplayGroupSource.Protected, 0.50, lastMile: true), Group("age >= 60", ReplayGroupSource.Fix, 0.2, false)]),
    ],
    [
        new ReplayFlag(ReplayFlagKind.LastMileGap, 1, "race == \"Black\"", "Version 1: on your rows the error is 50.0 % in race == \"Black\"."),
        new ReplayFlag(ReplayFlagKind.FixDoesNotHelp, 1, "age >= 60", "Version 1's fix for age >= 60 helped on the holdout, but not on your rows."),
    ],
    [new ReplayDiscovery("race == \"Black\" and sex == \"Female\"", 120, 0.6, 0.16, 0.001)], null);

    [Fact]
    public void Flags_AreListedFirst_WithTheirKinds()
    {
        var cut = Render<ReplayReportView>(p => p.Add(x => x.Report, Report));

        var flags = cut.FindAll("[data-testid='replay-flag']");
        Assert.Equal(["last-mile-gap", "fix-does-not-help"], flags.Select(f => f.GetAttribute("data-kind")));
        Assert.Contains("last-mile gap", flags[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("fix does not help here", flags[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_HasOnePointPerVersion_AndATextAlternative()
    {
        var cut = Render<ReplayReportView>(p => p.Add(x => x.Report, Report));

        Assert.Equal(["0", "1"], cut.FindAll("svg[data-testid='replay-chart'] g.point").Select(g => g.GetAttribute("data-version")));
        Assert.Contains("v1 16.0 % (15.0 % to 17.0 %)", cut.Find("svg[data-testid='replay-chart'] title").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_NewestFirstAndOpen_GroupsWithIntervalsSizesAndTheLastMileRowMarked()
    {
        var cut = Render<ReplayReportView>(p => p.Add(x => x.Report, Report));

        var versions = cut.FindAll("details[data-testid='replay-version']");
        Assert.Equal(["1", "0"], versions.Select(v => v.GetAttribute("data-version")));
        Assert.True(versions[0].HasAttribute("open"));
        Assert.False(versions[1].HasAttribute("open"));
        var row = versions[0].QuerySelector("tr[data-expression='race == \"Black\"']")!;
        Assert.Contains("table-warning", row.ClassName, StringComparison.Ordinal);
        Assert.Contains("50.0 % (46.0 %–55.0 %)", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("250", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("yes — not on the holdout", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("accepted fix", versions[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Discovery_ShowsPasteableExpressions_OrItsNote()
    {
        var cut = Render<ReplayReportView>(p => p.Add(x => x.Report, Report));
        Assert.Equal("race == \"Black\" and sex == \"Female\"", cut.Find("[data-testid='replay-discovered'] code").TextContent);

        var none = Render<ReplayReportView>(p => p.Add(x => x.Report, Report with { Flags = [], Discovered = [], DiscoveryNote = "Too few rows." }));
        Assert.Equal("Too few rows.", none.Find("[data-testid='replay-discovery-none']").TextContent);
        Assert.NotNull(none.Find("[data-testid='replay-no-flags']"));
    }
}
