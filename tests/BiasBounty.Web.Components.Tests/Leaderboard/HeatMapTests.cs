using BiasBounty.Web.Leaderboard;

namespace BiasBounty.Web.Components.Tests.Leaderboard;

public sealed class HeatMapTests : BunitContext
{
    private static readonly HeatMapView View = new(
        ["age", "sex"],
        [new HeatMapRow("Alpha", [4, 0], 4, 25.0), new HeatMapRow("Bravo", [1, 2], 3, 0)]);

    [Fact]
    public void Table_HasOneRowPerTeam_OneCellPerColumn_AndTheAcceptedShare()
    {
        var cut = Render<HeatMap>(p => p.Add(x => x.View, View));

        var alpha = cut.Find("table[data-testid='heatmap-table'] tbody tr[data-team='Alpha']");
        Assert.Equal(["4", "0"], alpha.QuerySelectorAll("td[data-feature]").Select(td => td.TextContent));
        Assert.Equal(["age", "sex"], alpha.QuerySelectorAll("td[data-feature]").Select(td => td.GetAttribute("data-feature")));
        Assert.Equal("25.0 %", alpha.QuerySelector("td.accepted-share")!.TextContent);
        Assert.Equal(2, cut.FindAll("table[data-testid='heatmap-table'] tbody tr").Count);
    }

    [Fact]
    public void Svg_ShadesMoreSubmissionsDarker_AndNoneLightest()
    {
        var cut = Render<HeatMap>(p => p.Add(x => x.View, View));

        Assert.Equal("img", cut.Find("svg[data-testid='heatmap']").GetAttribute("role"));
        string Fill(string team, string feature) => cut.Find($"g.heatmap-row[data-team='{team}'] rect[data-feature='{feature}']").GetAttribute("fill")!;
        Assert.Equal(HeatMap.Shade(4, 4), Fill("Alpha", "age"));
        Assert.Equal("#f4f6f8", Fill("Alpha", "sex"));
        Assert.True(Darkness(Fill("Alpha", "age")) > Darkness(Fill("Bravo", "sex")) && Darkness(Fill("Bravo", "sex")) > Darkness(Fill("Bravo", "age")));
    }

    [Fact]
    public void NoSubmission_SaysSo_InsteadOfAnEmptyGrid()
    {
        var cut = Render<HeatMap>(p => p.Add(x => x.View, new HeatMapView([], [])));

        Assert.NotNull(cut.Find("[data-testid='heatmap-empty']"));
        Assert.Empty(cut.FindAll("svg"));
    }

    /// <summary>255 × 3 minus the channel sum: larger is darker.</summary>
    private static int Darkness(string hex) => 765 - Convert.ToInt32(hex[1..3], 16) - Convert.ToInt32(hex[3..5], 16) - Convert.ToInt32(hex[5..7], 16);
}
