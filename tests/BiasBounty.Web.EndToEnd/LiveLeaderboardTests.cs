using System.Text.RegularExpressions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// The public leaderboard follows the competition live (issue-4 UI contract: <c>live-status</c>): a verdict that lands
/// while a viewer watches shows up in the standings and the heat map without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LiveLeaderboardTests(BrowserFixture fixture)
{
    private static readonly Regex Live = new(@"^\s*live\b", RegexOptions.IgnoreCase);

    private static readonly TimeSpan ScoringTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Viewer_WithTheLeaderboardOpen_SeesANewVerdictArriveWithoutReloading()
    {
        var platform = fixture.Platform;
        var competition = await WalkArrange.CompetitionAsync(platform, "Live");
        var early = await WalkArrange.TeamAsync(platform, competition.Id, "Early birds " + WalkPages.Unique());
        var late = await WalkArrange.TeamAsync(platform, competition.Id, "Late arrivals " + WalkPages.Unique());
        await WalkArrange.ScoredAsync(platform, early, "age >= 60");

        await using var session = await fixture.SessionAsync(nameof(Viewer_WithTheLeaderboardOpen_SeesANewVerdictArriveWithoutReloading));
        await session.RunAsync(async page =>
        {
            await page.GotoAsync($"competitions/{competition.Slug}/leaderboard");
            var standings = page.GetByTestId("standings");
            await Expect(standings.Locator($"tbody tr[data-team='{early.Name}']")).ToBeVisibleAsync();
            await Expect(standings.Locator($"tbody tr[data-team='{late.Name}']")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("live-status")).ToHaveTextAsync(Live);
            // a marker in this document: it is gone if the page reloads or navigates before the new team shows
            await page.EvaluateAsync("() => { window.__biasbountyE2e = 'same document'; }");
            await session.ShotAsync("before-verdict");

            // a submission scored in the background by the platform's own worker
            var id = await WalkArrange.QueuedAsync(platform, late, "hours-per-week >= 60");
            WalkArrange.Enqueue(platform, id);
            var scored = await Arrange.FinishedAsync(platform, id, ScoringTimeout);
            Assert.Equal(SubmissionState.Scored, scored.State);

            var lateRow = standings.Locator($"tbody tr[data-team='{late.Name}']");
            await Expect(lateRow).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Expect(lateRow.Locator("td.team")).ToHaveTextAsync(late.Name);
            await Expect(page.GetByTestId("heatmap-table").Locator($"tbody tr[data-team='{late.Name}'] td[data-feature='hours-per-week']"))
                .ToHaveTextAsync("1");
            await Expect(page.GetByTestId("live-status")).ToHaveTextAsync(Live);
            Assert.Equal("same document", await page.EvaluateAsync<string?>("() => window.__biasbountyE2e ?? null"));
            await session.ShotAsync("after-verdict");
        });
    }

    [Fact]
    public async Task Viewer_WhenTheLiveStreamIsRefusedOnce_ReconnectsWithoutReloading()
    {
        // A 503 (the outage page, a restart) closes a browser's EventSource for good; the page must open a new one.
        var competition = await WalkArrange.CompetitionAsync(fixture.Platform, "Relive");
        await using var session = await fixture.SessionAsync(nameof(Viewer_WhenTheLiveStreamIsRefusedOnce_ReconnectsWithoutReloading));
        await session.RunAsync(async page =>
        {
            var streams = 0;
            await page.RouteAsync("**/leaderboard/events**", async route =>
            {
                if (Interlocked.Increment(ref streams) == 1)
                    await route.FulfillAsync(new() { Status = 503, ContentType = "text/plain", Body = "temporarily unavailable" });
                else
                    await route.ContinueAsync();
            });

            await page.GotoAsync($"competitions/{competition.Slug}/leaderboard");
            await page.EvaluateAsync("() => { window.__biasbountyE2e = 'same document'; }");

            await Expect(page.GetByTestId("live-status")).ToHaveTextAsync(Live, new() { Timeout = 20_000 });
            Assert.True(Volatile.Read(ref streams) >= 2, $"{streams} stream request(s)");
            Assert.Equal("same document", await page.EvaluateAsync<string?>("() => window.__biasbountyE2e ?? null"));
        });
    }
}
