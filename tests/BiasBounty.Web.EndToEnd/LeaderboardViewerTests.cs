using System.Text.RegularExpressions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// What an anonymous viewer learns from a competition's public leaderboard, against the issue-4 UI contract: standings,
/// the improvement chart and its table, the feature heat map and its table, and the disclosed findings with their
/// search and feature filter. A finding still under embargo is nowhere on the page.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LeaderboardViewerTests(BrowserFixture fixture)
{
    private const string Embargoed = "education == \"Bachelors\"";

    [Fact]
    public async Task Viewer_SeesTheHeatMapAndImprovementChart_SearchesTheDisclosedFindingsButNotTheEmbargoedOne()
    {
        var platform = fixture.Platform;
        var fix = await Task.Run(() => Arrange.MarriedFixModel);
        var competition = await WalkArrange.CompetitionAsync(platform, "Viewer");
        var ages = await WalkArrange.TeamAsync(platform, competition.Id, "Age hunters " + WalkPages.Unique());
        var hours = await WalkArrange.TeamAsync(platform, competition.Id, "Hour counters " + WalkPages.Unique());
        var fixers = await WalkArrange.TeamAsync(platform, competition.Id, "Married fixers " + WalkPages.Unique());
        var scholars = await WalkArrange.TeamAsync(platform, competition.Id, "Quiet scholars " + WalkPages.Unique());
        var past = DateTimeOffset.UtcNow.AddDays(-1);
        await WalkArrange.ApproveAsync(platform, await WalkArrange.ScoredAsync(platform, ages, "age >= 60"), past);
        await WalkArrange.ApproveAsync(platform, await WalkArrange.ScoredAsync(platform, hours, "hours-per-week >= 60"), past);
        await WalkArrange.ScoredAsync(platform, fixers, Arrange.MarriedGroup, fix);
        await WalkArrange.ApproveAsync(platform, await WalkArrange.ScoredAsync(platform, scholars, Embargoed), DateTimeOffset.UtcNow.AddDays(29));

        await using var session = await fixture.SessionAsync(
            nameof(Viewer_SeesTheHeatMapAndImprovementChart_SearchesTheDisclosedFindingsButNotTheEmbargoedOne));
        await session.RunAsync(async page =>
        {
            var leaderboard = $"competitions/{competition.Slug}/leaderboard";
            await page.GotoAsync(leaderboard);
            var standings = page.GetByTestId("standings");
            foreach (var team in new[] { ages, hours, fixers, scholars })
                await Expect(standings.Locator($"tbody tr[data-team='{team.Name}'] td.team")).ToHaveTextAsync(team.Name);
            await Expect(standings.Locator($"tbody tr[data-team='{fixers.Name}'] td.fixes")).ToHaveTextAsync("1");
            await session.ShotAsync("leaderboard");

            // the improvement chart: the baseline and the fixers' version, which names the team and the group
            var chart = page.Locator("svg[data-testid='improvement-chart']");
            await Expect(chart).ToBeVisibleAsync();
            await Expect(chart).ToHaveAttributeAsync("role", "img");
            var versions = page.GetByTestId("improvement-table").Locator("tbody tr");
            await Expect(versions).ToHaveCountAsync(2);
            var fixRow = versions.Filter(new() { Has = page.Locator("td.team", new() { HasText = fixers.Name }) });
            await Expect(fixRow.Locator("td.group code")).ToContainTextAsync("marital-status");
            await chart.ScrollIntoViewIfNeededAsync();
            await session.ShotAsync("improvement-chart");

            // the heat map: which columns each team's submissions use, and how many of them were accepted
            var heatmap = page.Locator("svg[data-testid='heatmap']");
            await Expect(heatmap).ToBeVisibleAsync();
            await Expect(heatmap).ToHaveAttributeAsync("role", "img");
            var cells = page.GetByTestId("heatmap-table");
            await Expect(HeatCell(cells, ages, "age")).ToHaveTextAsync("1");
            await Expect(HeatCell(cells, ages, "hours-per-week")).ToHaveTextAsync("0");
            await Expect(HeatCell(cells, hours, "hours-per-week")).ToHaveTextAsync("1");
            await Expect(HeatCell(cells, fixers, "marital-status")).ToHaveTextAsync("1");
            await Expect(HeatCell(cells, scholars, "education")).ToHaveTextAsync("1");
            await Expect(cells.Locator($"tbody tr[data-team='{fixers.Name}'] td.accepted-share")).ToContainTextAsync("%");
            await heatmap.ScrollIntoViewIfNeededAsync();
            await session.ShotAsync("heatmap");

            // the disclosed findings: the two past their disclosure date, never the embargoed one
            var section = page.GetByTestId("disclosed-findings");
            var findings = section.Locator("article[data-testid='disclosed-finding']");
            await Expect(findings).ToHaveCountAsync(2);
            var agesFinding = findings.Filter(new() { Has = page.Locator("code.expression", new() { HasText = "age >= 60" }) });
            await Expect(agesFinding.Locator(".finder")).ToHaveTextAsync(ages.Name);
            foreach (var part in new[] { ".size-band", ".error-before", ".error-after" })
                await Expect(agesFinding.Locator(part)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S"));
            await Expect(page.Locator("body")).Not.ToContainTextAsync("Bachelors");
            await section.ScrollIntoViewIfNeededAsync();
            await session.ShotAsync("disclosed-findings");

            // search, then a search that matches nothing, then the feature filter
            await page.GetByTestId("findings-search").FillAsync("hours");
            await page.GetByTestId("findings-apply").ClickAsync();
            await WalkPages.ExpectUrlAsync(page, new Regex("q=hours"));
            await Expect(findings).ToHaveCountAsync(1);
            await Expect(findings.Locator("code.expression")).ToContainTextAsync("hours-per-week");
            await Expect(findings.Locator(".finder")).ToHaveTextAsync(hours.Name);
            await session.ShotAsync("search-hours");

            await page.GetByTestId("findings-search").FillAsync("no-such-group-anywhere");
            await page.GetByTestId("findings-apply").ClickAsync();
            await WalkPages.ExpectUrlAsync(page, new Regex("q=no-such-group-anywhere"));
            await Expect(page.GetByTestId("no-disclosed-findings")).ToBeVisibleAsync();
            await Expect(findings).ToHaveCountAsync(0);
            await session.ShotAsync("search-nothing");

            await page.GetByTestId("findings-search").FillAsync("");
            await page.GetByTestId("findings-feature").SelectOptionAsync("age");
            await page.GetByTestId("findings-apply").ClickAsync();
            await WalkPages.ExpectUrlAsync(page, new Regex("feature=age"));
            await Expect(findings).ToHaveCountAsync(1);
            await Expect(findings.Locator(".finder")).ToHaveTextAsync(ages.Name);
            await Expect(page.Locator("body")).Not.ToContainTextAsync("Bachelors");
            await session.ShotAsync("feature-age");
        });
    }

    private static ILocator HeatCell(ILocator table, WalkTeam team, string feature) =>
        table.Locator($"tbody tr[data-team='{team.Name}'] td[data-feature='{feature}']");
}
