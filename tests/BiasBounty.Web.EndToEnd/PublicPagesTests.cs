using System.Text.RegularExpressions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>What anyone sees without an account: the home page, the demo competition, its public leaderboard.</summary>
[Collection(BrowserCollection.Name)]
public class PublicPagesTests(BrowserFixture fixture)
{
    private const string DemoName = "Adult income (UCI demo)";

    [Fact]
    public async Task AnonymousVisitor_FindsTheDemoCompetitionAndItsLeaderboard()
    {
        await using var session = await fixture.SessionAsync(nameof(AnonymousVisitor_FindsTheDemoCompetitionAndItsLeaderboard));
        await session.RunAsync(async page =>
        {
            await page.GotoAsync("");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Competitions" })).ToBeVisibleAsync();
            await Expect(page.Locator("nav").GetByRole(AriaRole.Link, new() { Name = "Login", Exact = true })).ToBeVisibleAsync();
            var demo = page.Locator("li", new() { HasText = DemoName });
            await Expect(demo).ToBeVisibleAsync();
            await session.ShotAsync("home");

            await demo.GetByRole(AriaRole.Link, new() { Name = "Leaderboard" }).ClickAsync();
            await WalkPages.ExpectUrlAsync(page, new Regex("/competitions/adult-income/leaderboard$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = DemoName, Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Standings" })).ToBeVisibleAsync();
            // the baseline trained at start-up is the first version, with its error on the holdout's feedback part
            var versions = page.Locator("table.model-versions tbody tr");
            await Expect(versions.First).ToContainTextAsync("%");
            await session.ShotAsync("leaderboard");
        });
    }

    [Fact]
    public async Task UnknownCompetition_Is404_NotAnError()
    {
        await using var session = await fixture.SessionAsync(nameof(UnknownCompetition_Is404_NotAnError));
        await session.RunAsync(async page =>
        {
            var response = await page.GotoAsync("competitions/no-such-thing/leaderboard");
            Assert.NotNull(response);
            Assert.Equal(404, response.Status);
            // the page's own "No such competition" or the site's not-found page (the status-code pages re-execute a 404)
            await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new("No such competition|Not Found") })).ToBeVisibleAsync();
            await session.ShotAsync("unknown-competition");
        });
    }
}
