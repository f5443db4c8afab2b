using BiasBounty.Web.Deployers;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Deployers;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// The last mile for an evaluation-table competition (a copy of the speech demo, word error rate): the organizer marks
/// speaker gender and noise as protected and invites a deployer, who uploads their own evaluation table (their speakers,
/// their errors) on which women in quiet rooms get every word wrong, runs the replay and sees the flag, with intervals
/// clustered by speaker; then the organizer revokes the invitation and the deployer's files are gone.
/// </summary>
[Collection(BrowserCollection.Name)]
public class DeployerEvaluationTableWalkTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Deployer_UploadsTheirOwnEvaluationTable_SeesTheFlag_ThenTheOrganizerRevokesTheInvitation()
    {
        var platform = fixture.Platform;
        var organizerEmail = await AccountPages.ConfirmedUserAsync(platform, "organizer", Accounts.Roles.Organizer);
        Competitions.Competition competition;
        await using (var scope = platform.Scope())
        {
            var organizerId = await platform.NewDb(scope).Users.Where(u => u.Email == organizerEmail).Select(u => u.Id).SingleAsync();
            competition = await CompetitionBuilder.New("Speech replay " + WalkPages.Unique()).OrganizedBy(organizerId)
                .Between(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60)).SaveWithSpeechDemoDataAsync(scope);
        }
        var deployerEmail = await AccountPages.ConfirmedUserAsync(platform, "deployer");
        var table = Path.Combine(Directory.CreateTempSubdirectory("speech-replay-walk").FullName, "our-clinic-recordings.csv");
        await File.WriteAllBytesAsync(table, await DeployerArrange.PlantedSpeechCsvAsync(platform, competition));

        await using var session = await fixture.SessionAsync(nameof(Deployer_UploadsTheirOwnEvaluationTable_SeesTheFlag_ThenTheOrganizerRevokesTheInvitation));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, organizerEmail);
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/deployers");
            await page.GetByTestId("protected-speaker_gender").CheckAsync();
            await page.GetByTestId("protected-noise").CheckAsync();
            await page.GetByTestId("save-protected").ClickAsync();
            await Expect(page.GetByTestId("protected-message")).ToHaveTextAsync("Saved: speaker_gender, noise.");
            await page.GetByTestId("deployer-email").FillAsync(deployerEmail);
            await page.GetByTestId("invite-deployer").ClickAsync();
            await Expect(page.GetByTestId("deployer-invitations")).ToContainTextAsync(deployerEmail);

            await page.Context.ClearCookiesAsync();
            await AccountPages.LogInAsync(session, deployerEmail);
            await WalkPages.OpenAsync(session, $"deploy/{competition.Slug}");
            await Expect(page.GetByTestId("upload-columns")).ToContainTextAsync("speaker_id");
            await Expect(page.GetByTestId("deployer-no-model")).ToBeVisibleAsync();
            await session.ShotAsync("evaluation-table-upload-page");
            await page.Locator("#deployer-file").SetInputFilesAsync(table);
            await Expect(page.GetByTestId("upload-message")).ToContainTextAsync("is stored", new() { Timeout = 60_000 });
            await page.GetByTestId("start-replay").ClickAsync();
            await Expect(page.GetByTestId("report-link")).ToBeVisibleAsync(new() { Timeout = 180_000 });
            var reportPath = await page.GetByTestId("report-link").GetAttributeAsync("href");
            await WalkPages.FollowAsync(session, page.GetByTestId("report-link"), reportPath!);
            var flag = page.GetByTestId("replay-flag").Filter(new() { HasText = DeployerArrange.PlantedSpeech });
            await Expect(flag.First).ToHaveAttributeAsync("data-kind", "last-mile-gap");
            await Expect(page.GetByTestId("replay-report")).ToContainTextAsync("clustered by speaker_id");
            await session.ShotAsync("evaluation-table-report");
            await page.SetViewportSizeAsync(390, 844);
            await session.ShotAsync("evaluation-table-report-narrow");
            await page.SetViewportSizeAsync(1280, 900);
            var csv = await WalkPages.FetchCsvAsync(page, page.GetByTestId("download-csv"));
            Assert.Contains("last-mile-gap", csv, StringComparison.Ordinal);

            // The organizer revokes: a confirmation first, then the deployer's files and reports are gone.
            await page.Context.ClearCookiesAsync();
            await AccountPages.LogInAsync(session, organizerEmail);
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/deployers");
            await Expect(page.GetByTestId("revocation-rule")).ToContainTextAsync("for good");
            await page.GetByTestId("revoke-deployer").ClickAsync();
            await session.ShotAsync("revoke-confirm");
            await page.GetByTestId("confirm-revoke").ClickAsync();
            await Expect(page.GetByTestId("invite-message")).ToContainTextAsync($"Revoked {deployerEmail}");
            await Expect(page.GetByTestId("deployer-invitations")).ToHaveCountAsync(0);
            await session.ShotAsync("revoked");
        });
        await using (var scope = platform.Scope())
            Assert.False(await platform.NewDb(scope).DeployerUploads.AnyAsync(u => u.CompetitionId == competition.Id));
    }
}
