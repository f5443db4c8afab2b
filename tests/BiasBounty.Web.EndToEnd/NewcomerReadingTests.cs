using BiasBounty.Web.EndToEnd.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>Issue 11 as a newcomer meets it on a phone: the help pages, the competition page signed out, and the submit
/// page's quota line and warning for a group too small to be scored.</summary>
[Collection(BrowserCollection.Name)]
public class NewcomerReadingTests(BrowserFixture fixture)
{
    private const string Slug = "adult-income";

    [Fact]
    public async Task Newcomer_AtPhoneWidth_ReadsTheHelp_AndIsWarnedOfATinyGroupBeforeSubmitting()
    {
        var email = await AccountPages.ConfirmedUserAsync(fixture.Platform, "newcomer");
        await using var session = await fixture.SessionAsync(nameof(Newcomer_AtPhoneWidth_ReadsTheHelp_AndIsWarnedOfATinyGroupBeforeSubmitting));
        await session.RunAsync(async page =>
        {
            await page.SetViewportSizeAsync(390, 844);

            await page.GotoAsync($"competitions/{Slug}");
            await Expect(page.GetByTestId("cli-hints")).ToContainTextAsync("--label 'income'");
            await Expect(page.GetByTestId("team-link")).ToHaveCountAsync(0);
            await session.ShotAsync("competition-signed-out");

            await page.GotoAsync("help/verdicts");
            await Expect(page.Locator("h1")).ToHaveTextAsync("Reading a verdict");
            await session.ShotAsync("help-verdicts");
            await page.GotoAsync("help/points");
            await Expect(page.GetByTestId("fix-formula")).ToContainTextAsync("10,000 × μ × Δ");
            await session.ShotAsync("help-points");

            // the navigation folds away at phone width, and the login check reads it: log in wide, then narrow again
            await page.SetViewportSizeAsync(1280, 900);
            await AccountPages.LogInAsync(session, email);
            await page.SetViewportSizeAsync(390, 844);
            var mark = BrowserSession.Mark();
            await page.GotoAsync($"competitions/{Slug}/submit");
            await session.InteractiveAsync(mark);
            await Expect(page.GetByTestId("quota")).ToContainTextAsync("resets at");
            await Expect(page.GetByTestId("expression")).ToHaveAttributeAsync("placeholder", "e.g. age >= 60 and sex == \"Female\"");
            var input = page.GetByTestId("expression");
            for (var attempt = 1; ; attempt++)
            {
                await input.FillAsync("");
                await input.FillAsync("age >= 88 and sex == \"Female\"");
                try
                {
                    await Expect(page.GetByTestId("expression-warning")).ToContainTextAsync("Likely too small to be scored", new() { Timeout = 5_000 });
                    break;
                }
                catch (PlaywrightException) when (attempt < 3)
                {
                }
            }
            await session.ShotAsync("tiny-group-warned");
        });
    }
}
