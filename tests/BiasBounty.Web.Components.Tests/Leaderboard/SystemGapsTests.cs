using BiasBounty.Web.Leaderboard;

namespace BiasBounty.Web.Components.Tests.Leaderboard;

public sealed class SystemGapsTests : BunitContext
{
    private static readonly GroupGapRow Scottish = new("accent == \"Scottish\"", "Accent Hunters",
    [
        new GapAtVersion(0, true, 52.4, 43.3, "large (10 pp or more)", true),
        new GapAtVersion(1, true, 37.1, 34.8, "small (under 2 pp)", false),
    ]);

    private static SystemGapsView View(params GroupGapRow[] groups) => new(groups, UndisclosedFindings: 2, SystemVersions: 1);

    [Fact]
    public void Group_SaysItsGapByVersion_InPoints_AndWhetherItIsStillSignificant()
    {
        var cut = Render<SystemGaps>(p => p.Add(x => x.View, View(Scottish)).Add(x => x.MetricNoun, "word error rate"));

        var article = cut.Find("article[data-testid='group-gap']");
        Assert.Equal("accent == \"Scottish\"", article.QuerySelector("code.expression")!.TextContent);
        Assert.Contains("found by Accent Hunters", article.TextContent);
        Assert.Equal("gap 9.1 points at v0 → 2.3 at v1, no longer significant", cut.Find("[data-testid='gap-summary']").TextContent);
        var rows = cut.FindAll("table.gap-table tbody tr");
        Assert.Equal(["v0", "52.4 %", "43.3 %", "+9.1", "yes"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent));
        Assert.Equal(["v1", "37.1 %", "34.8 %", "+2.3", "no"], rows[1].QuerySelectorAll("td").Select(td => td.TextContent));
        Assert.Contains("word error rate minus the rest's, in percentage points", cut.Markup);
        Assert.Contains("2 more verified findings are", cut.Find("[data-testid='system-gaps-undisclosed']").TextContent);
    }

    [Fact]
    public void Gap_StillThere_SaysStillSignificant_AndAVersionNotYetTested_SaysSo()
    {
        var group = Scottish with
        {
            Versions = [Scottish.Versions[0], new GapAtVersion(1, true, 50.0, 43.0, "large (10 pp or more)", true), new GapAtVersion(2, false, null, null, null, false)],
        };

        var cut = Render<SystemGaps>(p => p.Add(x => x.View, View(group)));

        Assert.Equal("gap 9.1 points at v0 → 7.0 at v1, still significant; v2 is being re-tested", cut.Find("[data-testid='gap-summary']").TextContent);
        Assert.Equal("being re-tested", cut.Find("tr[data-version='2'] td[colspan]").TextContent);
    }

    [Fact]
    public void SmallGroup_SaysNotReleased_InsteadOfANumber()
    {
        var group = Scottish with { Versions = [Scottish.Versions[0], new GapAtVersion(1, true, null, null, "small (under 2 pp)", false)] };

        var cut = Render<SystemGaps>(p => p.Add(x => x.View, View(group)));

        Assert.Equal("gap 9.1 points at v0 → not released at v1, no longer significant", cut.Find("[data-testid='gap-summary']").TextContent);
        Assert.Equal("not released", cut.Find("tr[data-version='1'] td:nth-child(2)").TextContent);
    }

    [Fact]
    public void NoDisclosedFinding_SaysSo()
    {
        var cut = Render<SystemGaps>(p => p.Add(x => x.View, new SystemGapsView([], 0, 1)));

        Assert.Contains("No verified finding is disclosed yet, and none is verified", cut.Find("[data-testid='system-gaps-empty']").TextContent);
        Assert.Empty(cut.FindAll("[data-testid='system-gaps-undisclosed']"));
    }

    [Fact]
    public void BeforeAnyNewVersion_SaysTheGapsAreTheVerifiedOnes()
    {
        var group = Scottish with { Versions = [Scottish.Versions[0]] };

        var cut = Render<SystemGaps>(p => p.Add(x => x.View, new SystemGapsView([group], 0, 0)));

        Assert.Contains("has not published a new version", cut.Find("[data-testid='system-gaps-no-version']").TextContent);
        Assert.Equal("gap 9.1 points at v0", cut.Find("[data-testid='gap-summary']").TextContent);
        Assert.Empty(cut.FindAll("[data-testid='system-gaps-undisclosed']"));
    }

    [Fact]
    public void ImprovementChart_ForSystemVersions_SaysSystemVersion_AndWhatChanged()
    {
        var day = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        ModelVersionRow[] versions = [new(0, day, 41.2, Note: "the evaluation the competition opened with"), new(1, day.AddDays(3), 35.0, Note: "retrained on noisy data")];

        var cut = Render<ImprovementChart>(p => p.Add(x => x.Versions, versions).Add(x => x.MetricName, "Word error rate").Add(x => x.SystemVersions, true));

        Assert.Equal("Word error rate by system version", cut.Find("#improvement-title").TextContent);
        Assert.Contains("System version (publication date, UTC)", cut.Markup);
        var rows = cut.FindAll("table[data-testid='improvement-table'] tbody tr");
        Assert.Equal("retrained on noisy data", rows[1].QuerySelector("td.note")!.TextContent);
        Assert.Equal("35.0 %", rows[1].QuerySelector("td.error")!.TextContent);
        Assert.Empty(cut.FindAll("td.team"));
        Assert.Contains("What changed", cut.Find("table thead").TextContent);
    }
}
