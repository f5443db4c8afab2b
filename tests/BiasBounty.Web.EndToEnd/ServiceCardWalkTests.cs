using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// An organizer describes the model, produces the service card of the version an accepted fix made and publishes it;
/// a passer-by then reads it at desktop and phone width (screenshots of both, no sideways scroll) and downloads the
/// one-file ONNX model from the competition page.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ServiceCardWalkTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Organizer_WritesProducesAndPublishesTheCard_APasserByReadsItOnDesktopAndPhone()
    {
        var platform = fixture.Platform;
        var fix = await Task.Run(() => Arrange.MarriedFixModel);
        var competition = await WalkArrange.CompetitionAsync(platform, "Service card");
        var fixers = await WalkArrange.TeamAsync(platform, competition.Id, "Menders " + WalkPages.Unique());
        await WalkArrange.ScoredAsync(platform, fixers, Arrange.MarriedGroup, fix);

        await using (var organizer = await fixture.SessionAsync(nameof(Organizer_WritesProducesAndPublishesTheCard_APasserByReadsItOnDesktopAndPhone) + "-organizer"))
        {
            await organizer.RunAsync(async page =>
            {
                await AccountPages.LogInAsync(organizer, competition.OrganizerEmail);
                var mark = BrowserSession.Mark();
                await page.GotoAsync($"organize/{competition.Slug}/service-cards");
                await organizer.InteractiveAsync(mark);
                await organizer.ShotAsync("service-cards-empty");

                await page.GetByTestId("notes-intended-use").FillAsync("Estimating whether a census respondent earns over 50,000 dollars, for **research** on income gaps.");
                await page.GetByTestId("notes-out-of-scope").FillAsync("Decisions about a single person: credit, hiring or benefits.");
                await page.GetByTestId("save-notes").ClickAsync();
                await Expect(page.GetByTestId("card-message")).ToContainTextAsync("Notes saved");

                await page.GetByTestId("produce-1").ClickAsync();
                await Expect(page.GetByTestId("card-state-1")).ToHaveTextAsync("private", new() { Timeout = 60_000 });
                await page.GetByTestId("publish-1").ClickAsync();
                await Expect(page.GetByTestId("card-state-1")).ToContainTextAsync("public since");
                await organizer.ShotAsync("service-card-published");
            });
        }

        await using var reader = await fixture.SessionAsync(nameof(Organizer_WritesProducesAndPublishesTheCard_APasserByReadsItOnDesktopAndPhone));
        await reader.RunAsync(async page =>
        {
            await WalkPages.OpenAsync(reader, $"competitions/{competition.Slug}");
            await Expect(page.GetByTestId("download-model-onnx")).ToBeVisibleAsync();
            await page.GetByTestId("service-card-link").ClickAsync();
            await Expect(page.GetByTestId("service-card")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("card-intended-use")).ToContainTextAsync("research");
            await Expect(page.GetByTestId("card-fixes")).ToContainTextAsync(fixers.Name);
            foreach (var width in new[] { 1280, 390 })
            {
                await page.SetViewportSizeAsync(width, width > 600 ? 900 : 844);
                await page.WaitForTimeoutAsync(150);
                var size = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
                Assert.True(size[0] <= size[1] + 1, $"the card scrolls sideways at {width} px: {size[0]} px wide");
                await reader.ShotAsync($"service-card-{width}");
            }
            await page.Locator("details.group-pairs summary").First.ClickAsync();
            await reader.ShotAsync("service-card-390-pairs-open");
        });
    }
}
