using BiasBounty.Web.Leaderboard;

namespace BiasBounty.Web.Components.Tests.Leaderboard;

public sealed class LeaderboardTableTests : BunitContext
{
    [Fact]
    public void Table_ShowsOneRowPerTeam_InRankOrder_WithRoundedPoints()
    {
        TeamStanding[] rows =
        [
            new(1, "Married Finders", 12.345, 1, 2, new DateTimeOffset(2026, 11, 25, 3, 4, 0, TimeSpan.Zero)),
            new(2, "Typo Team", 0, 0, 0, null),
        ];

        var cut = Render<LeaderboardTable>(p => p.Add(x => x.Rows, rows));

        var cells = cut.FindAll("tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()).ToArray();
        Assert.Equal(["1", "Married Finders", "12.3", "1", "2", "2026-11-25 03:04 UTC"], cells[0]);
        Assert.Equal(["2", "Typo Team", "0.0", "0", "0", "—"], cells[1]);
    }

    [Fact]
    public void Table_EscapesTeamNames()
    {
        var cut = Render<LeaderboardTable>(p => p.Add(x => x.Rows, new[] { new TeamStanding(1, "<script>alert(1)</script>", 1, 0, 1, null) }));

        Assert.Empty(cut.FindAll("script"));
        Assert.Contains("<script>alert(1)</script>", cut.Find("td.team").TextContent);
    }
}
