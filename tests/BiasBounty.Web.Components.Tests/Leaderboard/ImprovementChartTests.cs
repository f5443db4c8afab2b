using BiasBounty.Web.Leaderboard;

namespace BiasBounty.Web.Components.Tests.Leaderboard;

public sealed class ImprovementChartTests : BunitContext
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static readonly ModelVersionRow[] Versions =
    [
        new(0, Day, 14.6),
        new(1, Day.AddDays(1), 13.9, "Married Finders", "marital-status == \"Married-civ-spouse\""),
        new(2, Day.AddDays(2), 13.5, "Quiet Team", "age > 70"),
    ];

    [Fact]
    public void Chart_PlotsOnePointPerVersion_AFallingErrorGoesDown_AndAnnotatesAcceptedFixes()
    {
        var cut = Render<ImprovementChart>(p => p.Add(x => x.Versions, Versions));

        var svg = cut.Find("svg[data-testid='improvement-chart']");
        Assert.Equal("img", svg.GetAttribute("role"));
        Assert.Equal("improvement-title improvement-desc", svg.GetAttribute("aria-labelledby"));
        Assert.Contains("14.6 %", cut.Find("#improvement-desc").TextContent);
        var circles = cut.FindAll("circle");
        Assert.Equal(3, circles.Count);
        var ys = circles.Select(c => double.Parse(c.GetAttribute("cy")!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(ys[0] < ys[1] && ys[1] < ys[2], "a falling error is drawn going down (SVG's y grows downwards)");
        var annotations = cut.FindAll("g.annotation text").Select(t => t.TextContent).ToArray();
        Assert.Equal(2, annotations.Length);
        Assert.StartsWith("Married Finders · marital-status", annotations[0]);
        Assert.Equal("Quiet Team · age > 70", annotations[1]);
        Assert.Contains(cut.FindAll(".y-axis text"), t => t.TextContent.EndsWith(" %", StringComparison.Ordinal));
        Assert.Equal(["v0", "v1", "v2"], cut.FindAll(".x-axis g.tick text:first-of-type").Select(t => t.TextContent));
    }

    [Fact]
    public void Table_HasOneRowPerVersion_NamingTheTeamAndTheGroupOfEachAcceptedFix()
    {
        var cut = Render<ImprovementChart>(p => p.Add(x => x.Versions, Versions));

        var rows = cut.FindAll("table[data-testid='improvement-table'] tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Equal("baseline", rows[0].QuerySelector("td.team")!.TextContent);
        Assert.Equal("Married Finders", rows[1].QuerySelector("td.team")!.TextContent);
        Assert.Equal("marital-status == \"Married-civ-spouse\"", rows[1].QuerySelector("td.group code")!.TextContent);
        Assert.Equal("age > 70", rows[2].QuerySelector("td.group code")!.TextContent);
        Assert.Null(rows[0].QuerySelector("td.group code"));
        Assert.Equal("13.5 %", rows[2].QuerySelector("td.error")!.TextContent);
    }

    [Fact]
    public void NoVersion_DrawsAnEmptyChartWithAMessage()
    {
        var cut = Render<ImprovementChart>(p => p.Add(x => x.Versions, Array.Empty<ModelVersionRow>()));

        Assert.Equal("No model version yet", cut.Find("svg[data-testid='improvement-chart'] .chart-empty text").TextContent);
        Assert.Empty(cut.FindAll("circle"));
        Assert.Empty(cut.FindAll("table.model-versions tbody tr"));
    }
}
