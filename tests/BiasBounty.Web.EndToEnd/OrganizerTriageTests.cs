using BiasBounty.Web.EndToEnd.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// The organizer's triage, against the issue-4 UI contract: the queue <c>/organize/{slug}/triage</c>, the review page
/// <c>/organize/{slug}/submissions/{id}</c> and the audit log <c>/organize/{slug}/audit</c> with its CSV export.
/// Two teams' submissions are arranged and scored by the real job; every decision is made in the browser.
/// </summary>
[Collection(BrowserCollection.Name)]
public class OrganizerTriageTests(BrowserFixture fixture)
{
    private const string ApprovalNote = "Clear finding, well documented: approved.";
    private const string DuplicateNote = "Same group as Alpha's earlier finding.";
    private const string BulkApprovalNote = "Approved in bulk after review.";
    private const string BulkDisqualifyNote = "Disqualified in bulk: the rules exclude hours-only groups.";

    [Fact]
    public async Task Organizer_ApprovesMarksADuplicateAndTriagesInBulk_FindsEveryDecisionInTheAuditLogAndItsCsv()
    {
        var platform = fixture.Platform;
        var competition = await WalkArrange.CompetitionAsync(platform, "Triage");
        var alpha = await WalkArrange.TeamAsync(platform, competition.Id, "Alpha " + WalkPages.Unique());
        var beta = await WalkArrange.TeamAsync(platform, competition.Id, "Beta " + WalkPages.Unique());
        var first = await WalkArrange.ScoredAsync(platform, alpha, "age >= 60");
        var duplicate = await WalkArrange.ScoredAsync(platform, beta, "age >= 60"); // the same group, later: a duplicate
        var toApprove = await WalkArrange.ScoredAsync(platform, beta, "education == \"Bachelors\"");
        var toDisqualify = await WalkArrange.ScoredAsync(platform, alpha, "hours-per-week >= 60");

        await using var session = await fixture.SessionAsync(
            nameof(Organizer_ApprovesMarksADuplicateAndTriagesInBulk_FindsEveryDecisionInTheAuditLogAndItsCsv));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, competition.OrganizerEmail);

            // the queue opens on the scored submissions waiting for a decision
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/triage");
            await Expect(page.GetByTestId("triage-filter")).ToHaveValueAsync("Scored");
            foreach (var id in new[] { first, duplicate, toApprove, toDisqualify })
                await Expect(Row(page, id).Locator("td.triage-state")).ToHaveTextAsync("Scored");
            await Expect(Row(page, first).Locator("td.team")).ToHaveTextAsync(alpha.Name);
            await Expect(Row(page, first).Locator("code.expression")).ToContainTextAsync("age");
            await Expect(Row(page, duplicate).Locator("td.team")).ToHaveTextAsync(beta.Name);
            await session.ShotAsync("triage-queue");

            // approve the first finding on its review page, with a note
            await WalkPages.FollowAsync(session, Row(page, first).Locator("a.review"), $"organize/{competition.Slug}/submissions/{first}");
            await Expect(page.GetByTestId("internal-record")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("triage-state")).ToHaveTextAsync("Scored");
            await session.ShotAsync("review-first");
            await page.GetByTestId("triage-action").SelectOptionAsync("Approved");
            await SaveDecisionAsync(session, ApprovalNote, "Approved", "review-first");

            // the second team's same group: a duplicate of the first, which the page offers (and preselects)
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/submissions/{duplicate}");
            await Expect(page.GetByTestId("triage-state")).ToHaveTextAsync("Scored");
            await page.GetByTestId("triage-action").SelectOptionAsync("Duplicate");
            var duplicateOf = page.GetByTestId("duplicate-of");
            await Expect(duplicateOf).ToHaveValueAsync(first.ToString());
            await duplicateOf.SelectOptionAsync(first.ToString());
            await SaveDecisionAsync(session, DuplicateNote, "Duplicate", "review-duplicate");

            // back in the queue: the two decided ones have left the Scored view; the other two are decided in bulk
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/triage");
            await Expect(Row(page, toApprove)).ToBeVisibleAsync();
            await Expect(Row(page, first)).ToHaveCountAsync(0);
            await Expect(Row(page, duplicate)).ToHaveCountAsync(0);
            await BulkAsync(session, toApprove, "Approved", BulkApprovalNote);
            await session.ShotAsync("bulk-approved");
            await BulkAsync(session, toDisqualify, "Disqualified", BulkDisqualifyNote);
            await session.ShotAsync("bulk-disqualified");

            // every decision, in the All view
            await page.GetByTestId("triage-filter").SelectOptionAsync("All");
            await Expect(Row(page, first).Locator("td.triage-state")).ToHaveTextAsync("Approved");
            await Expect(Row(page, duplicate).Locator("td.triage-state")).ToHaveTextAsync("Duplicate");
            await Expect(Row(page, toApprove).Locator("td.triage-state")).ToHaveTextAsync("Approved");
            await Expect(Row(page, toDisqualify).Locator("td.triage-state")).ToHaveTextAsync("Disqualified");
            await session.ShotAsync("triage-all-decided");

            // the audit log has the four decisions with their notes, and so does its CSV export
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/audit");
            var rows = page.Locator("tr[data-testid='audit-row']");
            await Expect(rows.First).ToBeVisibleAsync();
            await session.ShotAsync("audit-log");
            await WalkPages.FilterAsync(page.GetByTestId("audit-kind"), "triage");
            foreach (var note in new[] { ApprovalNote, DuplicateNote, BulkApprovalNote, BulkDisqualifyNote })
                await Expect(rows.Filter(new() { HasText = note })).ToHaveCountAsync(1);
            await Expect(rows).ToHaveCountAsync(4);
            var export = page.Locator("a[data-testid='audit-export']");
            await Expect(export).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex(
                $@"organize/{competition.Slug}/audit\.csv\?.*triage", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
            await session.ShotAsync("audit-log-triage-only");

            var csv = await WalkPages.FetchCsvAsync(page, export);
            foreach (var expected in new[] { ApprovalNote, DuplicateNote, BulkApprovalNote, BulkDisqualifyNote, first.ToString(), duplicate.ToString() })
                Assert.Contains(expected, csv);
            Assert.DoesNotContain("submission.created", csv); // the filter carried into the export
        });
    }

    private static ILocator Row(IPage page, Guid submissionId) =>
        page.Locator($"tr[data-testid='triage-row'][data-submission-id='{submissionId}']");

    /// <summary>On the review page, with the action chosen: writes the note, saves, and sees the new state and a message
    /// (screenshots <c>{shot}-deciding</c> and <c>{shot}-decided</c>).</summary>
    private static async Task SaveDecisionAsync(BrowserSession session, string note, string expectedState, string shot)
    {
        var page = session.Page;
        await page.GetByTestId("triage-note").FillAsync(note);
        await session.ShotAsync(shot + "-deciding");
        await page.GetByTestId("triage-save").ClickAsync();
        await Expect(page.GetByTestId("triage-state")).ToHaveTextAsync(expectedState);
        await Expect(page.GetByTestId("review-message")).ToBeVisibleAsync();
        await session.ShotAsync(shot + "-decided");
    }

    /// <summary>Ticks one row, picks the bulk action, writes the note and applies it; the queue answers with a message.</summary>
    private static async Task BulkAsync(BrowserSession session, Guid submissionId, string action, string note)
    {
        var page = session.Page;
        await Row(page, submissionId).Locator("input[data-testid='select-submission']").CheckAsync();
        await page.GetByTestId("bulk-action").SelectOptionAsync(action);
        await page.GetByTestId("bulk-note").FillAsync(note);
        await session.ShotAsync($"bulk-{action}-ready");
        await page.GetByTestId("bulk-apply").ClickAsync();
        await Expect(page.GetByTestId("triage-message")).ToBeVisibleAsync();
        // decided: the row leaves the Scored view (or, if the queue keeps it until the next load, no longer says Scored)
        await Expect(Row(page, submissionId).Locator("td.triage-state", new() { HasText = "Scored" })).ToHaveCountAsync(0);
    }
}
