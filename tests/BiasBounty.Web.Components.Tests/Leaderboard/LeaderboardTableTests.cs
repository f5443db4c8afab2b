using BiasBounty.Web.Leaderboard;

namespace BiasBounty.Web.Components.Tests.Leaderboard;

public sealed class LeaderboardTableTests : BunitContext
{
    private static readonly TeamStanding[] Rows =
    [
        new(1, "Married Finders", 12.345, 1, 2, 1, new Reward(600m, "EUR")),
        new(2, "Typo Team", 0, 0, 0, 0, null),
    ];

    private static string[][] Cells(IRenderedComponent<LeaderboardTable> cut) =>
        cut.FindAll("tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()).ToArray();

    [Fact]
    public void OpenCompetition_ShowsOneRowPerTeam_InRankOrder_WithoutRewards()
    {
        var cut = Render<LeaderboardTable>(p => p.Add(x => x.Rows, Rows));

        Assert.Equal(["1", "Married Finders", "12.3", "1", "2", "1"], Cells(cut)[0]);
        Assert.Equal(["2", "Typo Team", "0.0", "0", "0", "0"], Cells(cut)[1]);
        Assert.Equal("Married Finders", cut.Find("tbody tr").GetAttribute("data-team"));
        Assert.Equal("1", cut.Find("tbody tr td:nth-child(4)").TextContent); // accepted fixes: the 4th cell
        Assert.Empty(cut.FindAll("td.reward"));
    }

    [Fact]
    public void ClosedCompetition_AddsTheRewardWithItsCurrency()
    {
        var cut = Render<LeaderboardTable>(p => p.Add(x => x.Rows, Rows).Add(x => x.Closed, true));

        Assert.Equal(["600.00 EUR", "—"], cut.FindAll("td.reward").Select(td => td.TextContent));
        Assert.Equal(7, cut.FindAll("thead th").Count);
    }

    [Fact]
    public void Table_EscapesTeamNames()
    {
        var cut = Render<LeaderboardTable>(p => p.Add(x => x.Rows, new[] { new TeamStanding(1, "<script>alert(1)</script>", 1, 0, 1, 0, null) }));

        Assert.Empty(cut.FindAll("script"));
        Assert.Contains("<script>alert(1)</script>", cut.Find("td.team").TextContent);
    }
}
