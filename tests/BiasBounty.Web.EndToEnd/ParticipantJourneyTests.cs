using System.Text.RegularExpressions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// The participant journey on the demo competition, written against the participant pages' UI contract (the
/// <c>data-testid</c> attributes below): team page <c>/teams</c>, submit form <c>/competitions/{slug}/submit</c>,
/// live submission page <c>/submissions/{id}</c>. These pages are built separately; until they exist these tests fail
/// at the first missing element, with a screenshot of where they stopped.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ParticipantJourneyTests(BrowserFixture fixture)
{
    private const string Slug = "adult-income";
    private static readonly TimeSpan ScoringTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task NewUser_RegistersCreatesATeamAndSubmitsAFix_SeesTheVerdictLiveAndFindsTheTeamOnTheLeaderboard()
    {
        // the fix is trained here with the engine, before the browser starts: a few seconds, never on the clock of a page
        var fixPath = Path.Combine(Path.GetTempPath(), $"married-fix-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(fixPath, await Task.Run(() => Arrange.MarriedFixModel));
        var teamName = $"E2E team {Guid.NewGuid().ToString("N")[..8]}";
        var email = AccountPages.NewEmail("journey");

        await using var session = await fixture.SessionAsync(
            nameof(NewUser_RegistersCreatesATeamAndSubmitsAFix_SeesTheVerdictLiveAndFindsTheTeamOnTheLeaderboard));
        try
        {
            await session.RunAsync(async page =>
            {
                await AccountPages.RegisterAndConfirmAsync(session, email);
                await AccountPages.LogInAsync(session, email);

                // a team
                var mark = BrowserSession.Mark();
                await page.GetByTestId("nav-teams").ClickAsync();
                await WalkPages.ExpectUrlAsync(page, new Regex("/teams$"));
                await session.InteractiveAsync(mark);
                // Two demo competitions are open (Adult and speech): the team is for this one.
                await page.GetByTestId("competition").SelectOptionAsync(Slug);
                await page.GetByTestId("team-name").FillAsync(teamName);
                await session.ShotAsync("team-name-filled");
                await page.GetByTestId("create-team").ClickAsync();
                await Expect(page.GetByTestId("invite-code")).ToHaveTextAsync(new Regex(@"\S"));
                await session.ShotAsync("team-created");

                // the submit form, from the competition page
                await page.GotoAsync($"competitions/{Slug}");
                await session.ShotAsync("competition-page");
                mark = BrowserSession.Mark();
                await page.GetByTestId("submit-link").ClickAsync();
                await WalkPages.ExpectUrlAsync(page, new Regex($"/competitions/{Regex.Escape(Slug)}/submit$"));
                await session.InteractiveAsync(mark);

                await WalkPages.TypeExpressionAsync(page, Arrange.MarriedGroup, expectStatus: "rows");
                await session.ShotAsync("expression-valid");

                await FixInput(page).SetInputFilesAsync(fixPath);
                var fixStatus = page.GetByTestId("fix-status");
                await Expect(fixStatus).ToHaveTextAsync(new Regex(@"\S"));
                await Expect(fixStatus).Not.ToHaveTextAsync(new Regex("uploading|checking|reading", RegexOptions.IgnoreCase));
                await Expect(fixStatus).Not.ToHaveTextAsync(new Regex("error|refused|invalid|corrupt|fail|mismatch|too large", RegexOptions.IgnoreCase));

                await SelectErrorMetricAsync(page.GetByTestId("metric"));
                await Expect(page.GetByTestId("quota")).ToHaveTextAsync(new Regex(@"\d"));
                await session.ShotAsync("submission-ready");

                await page.GetByTestId("submit").ClickAsync();
                await WalkPages.ExpectUrlAsync(page, new Regex(@"/submissions/[0-9a-fA-F-]{32,36}$"));
                var state = page.GetByTestId("submission-state");
                await Expect(state).ToHaveTextAsync(new Regex("Queued|Scoring|Scored"));
                // a marker in this document: it is gone if the page reloads or navigates before the verdict shows
                await page.EvaluateAsync("() => { window.__biasbountyE2e = 'same document'; }");
                await session.ShotAsync("submission-" + (await state.InnerTextAsync()).Trim());

                var verdict = page.GetByTestId("verdict");
                await Expect(verdict).ToBeVisibleAsync(new() { Timeout = (float)ScoringTimeout.TotalMilliseconds });
                await Expect(verdict).ToHaveTextAsync(new Regex(@"\S"));
                await Expect(state).ToHaveTextAsync(new Regex("Scored"));
                Assert.Equal("same document", await page.EvaluateAsync<string?>("() => window.__biasbountyE2e ?? null"));
                // the verdict's notification shows on the navigation's badge without a reload, and the verdict explains itself
                await Expect(page.GetByTestId("unread-count")).Not.ToHaveTextAsync("0");
                await Expect(page.GetByTestId("fix")).ToContainTextAsync("✔ accepted");
                await Expect(page.GetByTestId("triage-state")).ToHaveTextAsync("Awaiting review");
                await Expect(page.GetByTestId("points-breakdown")).ToContainTextAsync("10,000 ×");
                await Expect(page.GetByTestId("verdicts-help")).ToHaveAttributeAsync("href", "help/verdicts");
                await session.ShotAsync("verdict");

                // the public leaderboard: the team, with its accepted fix, and a new model version
                await page.GotoAsync($"competitions/{Slug}/leaderboard");
                var row = page.Locator("table.leaderboard tbody tr", new() { HasText = teamName });
                await Expect(row).ToBeVisibleAsync();
                await Expect(row.Locator("td.team")).ToHaveTextAsync(teamName);
                await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("1"); // accepted fixes
                await Expect(page.Locator("table.model-versions tbody tr")).ToHaveCountAsync(2);
                await session.ShotAsync("leaderboard");
            });
        }
        finally
        {
            File.Delete(fixPath);
        }
    }

    [Fact]
    public async Task ExpressionEditor_AnUnknownColumnTyped_NamesItAndSuggestsTheRightOneAsYouType()
    {
        var email = await AccountPages.ConfirmedUserAsync(fixture.Platform, "typist");
        await using var session = await fixture.SessionAsync(
            nameof(ExpressionEditor_AnUnknownColumnTyped_NamesItAndSuggestsTheRightOneAsYouType));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, email);
            var mark = BrowserSession.Mark();
            await page.GotoAsync($"competitions/{Slug}/submit");
            await session.InteractiveAsync(mark);

            await WalkPages.TypeExpressionAsync(page, "AGE > 3", expectStatus: "unknown column");
            var status = page.GetByTestId("expression-status");
            await Expect(status).ToContainTextAsync("did you mean 'age'", new() { IgnoreCase = true });
            await session.ShotAsync("unknown-column");

            // and the fix of the typo is accepted, with the group's size on the public training data
            await WalkPages.TypeExpressionAsync(page, "age > 3", expectStatus: "rows");
            await Expect(status).Not.ToContainTextAsync("unknown column", new() { IgnoreCase = true });
            await session.ShotAsync("fixed");
        });
    }

    /// <summary>The <c>&lt;input type=file&gt;</c> of the fix upload, whether the test id sits on it or on a wrapper.</summary>
    private static ILocator FixInput(IPage page) =>
        page.Locator("input[type=file][data-testid='fix-upload'], [data-testid='fix-upload'] input[type=file]").First;

    /// <summary>Picks the 0/1 error metric when the select offers it under that name; otherwise keeps the default.</summary>
    private static async Task SelectErrorMetricAsync(ILocator metric)
    {
        await Expect(metric).ToBeVisibleAsync();
        var labels = await metric.Locator("option").AllInnerTextsAsync();
        var error = labels.FirstOrDefault(l => Regex.IsMatch(l, @"^\s*error\b", RegexOptions.IgnoreCase));
        if (error is not null) await metric.SelectOptionAsync(new SelectOptionValue { Label = error.Trim() });
    }
}
