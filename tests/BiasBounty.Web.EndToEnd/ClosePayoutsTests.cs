using BiasBounty.Web.Competitions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// Closing a competition and paying out, against the issue-4 UI contract: <c>/organize/{slug}/payouts</c> (close with a
/// confirmation, the payout ledger, approve then pay), its CSV, the reward on the public leaderboard and the closed
/// submit page. The walk closes a competition of its own (a copy of the demo one): closing the shared demo competition
/// would stop the other walks from submitting to it.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ClosePayoutsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Organizer_ClosesTheCompetition_PayoutsSplitThePool_ThenOneIsApprovedPaidAndShownPublicly()
    {
        var platform = fixture.Platform;
        var fix = await Task.Run(() => Arrange.MarriedFixModel);
        var competition = await WalkArrange.CompetitionAsync(platform, "Payouts");
        var fixers = await WalkArrange.TeamAsync(platform, competition.Id, "Fixers " + WalkPages.Unique());
        var finders = await WalkArrange.TeamAsync(platform, competition.Id, "Finders " + WalkPages.Unique());
        // the finding first: judged against the baseline, it is verified and earns points; then the accepted fix
        var finding = await WalkArrange.ScoredAsync(platform, finders, "hours-per-week >= 60");
        var accepted = await WalkArrange.ScoredAsync(platform, fixers, Arrange.MarriedGroup, fix);
        foreach (var id in new[] { accepted, finding }) await WalkArrange.ApproveAsync(platform, id, DateTimeOffset.UtcNow.AddDays(30));
        decimal pool;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            pool = await db.Competitions.Where(c => c.Id == competition.Id).Select(c => c.RewardPool).SingleAsync();
            var points = await TeamPoints.ForCompetitionAsync(db, competition.Id);
            Assert.True(points[fixers.Id].ApprovedPoints > 0, "the accepted fix should have earned approved points");
            Assert.True(points[finders.Id].ApprovedPoints > 0, "the verified finding should have earned approved points");
        }

        await using var session = await fixture.SessionAsync(
            nameof(Organizer_ClosesTheCompetition_PayoutsSplitThePool_ThenOneIsApprovedPaidAndShownPublicly));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, competition.OrganizerEmail);
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/payouts");
            await Expect(page.GetByTestId("payout-ledger")).ToHaveCountAsync(0);
            await session.ShotAsync("payouts-open");

            // close, with a confirmation
            await page.GetByTestId("close-competition").ClickAsync();
            var confirm = page.GetByTestId("confirm-close");
            await Expect(confirm).ToBeVisibleAsync();
            await session.ShotAsync("close-confirmation");
            await confirm.ClickAsync();
            await Expect(page.GetByTestId("closed-banner")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("close-competition")).ToHaveCountAsync(0);

            // the ledger: one line per team, Pending, the amounts splitting the whole pool
            var ledger = page.GetByTestId("payout-ledger");
            var fixersRow = ledger.Locator($"tbody tr[data-team='{fixers.Name}']");
            var findersRow = ledger.Locator($"tbody tr[data-team='{finders.Name}']");
            await Expect(fixersRow.Locator("td.state")).ToHaveTextAsync("Pending");
            await Expect(findersRow.Locator("td.state")).ToHaveTextAsync("Pending");
            await Expect(fixersRow.Locator("td.points")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d"));
            var amounts = await ledger.Locator("tbody tr td.amount").AllInnerTextsAsync();
            Assert.Equal(2, amounts.Count);
            Assert.Equal(pool, amounts.Sum(WalkPages.Amount));
            var fixersAmount = WalkPages.Amount(await fixersRow.Locator("td.amount").InnerTextAsync());
            var findersAmount = WalkPages.Amount(await findersRow.Locator("td.amount").InnerTextAsync());
            Assert.True(fixersAmount > findersAmount && findersAmount > 0, $"fixers {fixersAmount}, finders {findersAmount}");
            await session.ShotAsync("payout-ledger");

            // approve, then pay, the fixers' payout
            await fixersRow.Locator("button.payout-approve").ClickAsync();
            await Expect(fixersRow.Locator("td.state")).ToHaveTextAsync("Approved");
            await session.ShotAsync("payout-approved");
            await fixersRow.Locator("button.payout-paid").ClickAsync();
            await Expect(fixersRow.Locator("td.state")).ToHaveTextAsync("Paid");
            await Expect(findersRow.Locator("td.state")).ToHaveTextAsync("Pending");
            await session.ShotAsync("payout-paid");

            var csv = await WalkPages.FetchCsvAsync(page, page.Locator("a[data-testid='payout-export']"));
            Assert.Contains(fixers.Name, csv);
            Assert.Contains(finders.Name, csv);
            Assert.Contains("Paid", csv);

            // the public leaderboard shows each team's reward; the submit page refuses new submissions
            await page.GotoAsync($"competitions/{competition.Slug}/leaderboard");
            var reward = page.GetByTestId("standings").Locator($"tbody tr[data-team='{fixers.Name}'] td.reward");
            await Expect(reward).ToBeVisibleAsync();
            Assert.Equal(fixersAmount, WalkPages.Amount(await reward.InnerTextAsync()));
            await session.ShotAsync("leaderboard-rewards");

            await page.GotoAsync($"competitions/{competition.Slug}/submit");
            await Expect(page.GetByTestId("competition-closed")).ToBeVisibleAsync();
            await session.ShotAsync("submit-closed");
        });

        await using var check = platform.Scope();
        var after = await platform.NewDb(check).Competitions.AsNoTracking().SingleAsync(c => c.Id == competition.Id);
        Assert.Equal(CompetitionStatus.Closed, after.Status);
        Assert.NotNull(after.ClosedAt);
    }
}
