using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Tests.Leaderboard;

/// <summary>Once the competition is closed, the standings show each team's reward from the payout ledger (own platform: it closes the demo).</summary>
public sealed class ClosedLeaderboardTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task ClosedCompetition_ShowsEachTeamsRewardWithTheCurrency()
    {
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var on = await LeaderboardArrange.DemoAsync(db);
            var winner = await on.TeamAsync("Winners");
            var unpaid = await on.TeamAsync("Unrewarded");
            await on.ScoredAsync(winner, "age > 40", fix: true, points: 30, triage: TriageState.Approved);
            await on.ScoredAsync(unpaid, "age > 41", verified: false);
            on.Competition.Status = CompetitionStatus.Closed;
            on.Competition.ClosedAt = DateTimeOffset.UtcNow;
            on.Competition.RewardCurrency = "EUR";
            db.Payouts.Add(new Payout { CompetitionId = on.Competition.Id, TeamId = winner.Team.Id, Points = 30, Amount = 1234.5m });
            await db.SaveChangesAsync();
            await on.BumpAsync();
        }

        var page = Html.Parse(await platform.CreateClient().GetStringAsync($"/competitions/{DemoSeeder.Slug}/leaderboard"));

        Assert.Equal("1,234.50 EUR", page.Row("standings", "Winners").Cell("td.reward"));
        Assert.Equal("—", page.Row("standings", "Unrewarded").Cell("td.reward"));
        Assert.Equal("30.0", page.Row("standings", "Winners").Cell("td.points"));
    }
}
