using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>The public leaderboard updates itself when a verdict lands: event stream + re-fetch, no reload.</summary>
[Collection(BrowserCollection.Name)]
public class LiveLeaderboardTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_open_leaderboard_shows_a_new_verdict_without_a_reload()
    {
        await using var session = await fixture.SessionAsync(nameof(An_open_leaderboard_shows_a_new_verdict_without_a_reload));
        await session.RunAsync(async page =>
        {
            await page.GotoAsync($"competitions/{DemoSeeder.Slug}/leaderboard");
            await Expect(page.GetByTestId("live-status")).ToHaveTextAsync("live");
            await page.EvaluateAsync("() => window.__notReloaded = true");

            var team = "Live Team " + Guid.NewGuid().ToString("N")[..6];
            await using (var scope = fixture.Platform.Scope())
            {
                var db = fixture.Platform.NewDb(scope);
                var competition = await Arrange.DemoCompetitionAsync(db);
                var (user, created) = await Arrange.TeamAsync(db, competition.Id, team);
                var submission = await Arrange.SubmissionAsync(db, competition, user, created, "age > 77");
                db.Scores.Add(SyntheticScores.Score(submission, "age > 77", "live-" + team, findingVerified: true, fixAccepted: false, points: 3));
                await db.SaveChangesAsync();
                await PublicRevision.BumpAsync(db, competition.Id); // what the scoring job does with its verdict
            }

            var row = page.Locator($"table.leaderboard tbody tr[data-team='{team}']");
            await Expect(row.Locator("td.findings")).ToHaveTextAsync("1");
            await Expect(page.Locator($"[data-testid='heatmap-table'] tr[data-team='{team}'] td[data-feature='age']")).ToHaveTextAsync("1");
            Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page was reloaded");
            await session.ShotAsync("live-update");
        });
    }
}
