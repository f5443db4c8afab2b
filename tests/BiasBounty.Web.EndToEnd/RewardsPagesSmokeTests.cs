using System.Text.RegularExpressions;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>The organizer's disclosure, holdout and payout pages clicked through in a browser, as an admin.</summary>
[Collection(BrowserCollection.Name)]
public class RewardsPagesSmokeTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_SetsTheEmbargoAndRefreshesTheHoldout_ClosesTheCompetition()
    {
        var email = AccountPages.NewEmail("admin");
        string adminId;
        await using (var scope = fixture.Platform.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, AccountPages.Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.Admin)).Succeeded);
            adminId = user.Id;
        }
        // A competition of its own (Wyoming income), so that closing it leaves the demo to the other browser tests.
        var slug = "wyoming-" + Guid.NewGuid().ToString("N")[..8];
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("acs-income-2018-WY.csv.gz", File.ReadAllBytes(Path.Combine(DemoSeeder.DataFolder(null, AppContext.BaseDirectory), "acs-income-2018-WY.csv.gz"))));
        Assert.Null(draft.ConfirmSchema("PINCP", null, [], Metric.Error));
        Assert.Null(draft.TrainBaseline(new CompetitionSettings()));
        await using (var scope = fixture.Platform.Scope())
        {
            var (competition, errors) = await CreateCompetition.OpenAsync(scope.ServiceProvider.GetRequiredService<ApplicationDbContext>(),
                scope.ServiceProvider.GetRequiredService<CompetitionAssembly>(),
                new CompetitionDetails { Name = "Wyoming rewards", Slug = slug, RewardPool = 100m }, draft, adminId, CancellationToken.None);
            Assert.True(competition is not null, string.Join("; ", errors.Values));
        }
        // Fresh rows for the refresh: half of the holdout, which is a different file.
        var holdout = draft.HoldoutFile!.Load();
        var holdoutPath = Path.Combine(Path.GetTempPath(), $"fresh-holdout-{Guid.NewGuid():N}.csv.gz");
        var freshRows = holdout.RowCount / 2;
        await File.WriteAllBytesAsync(holdoutPath, CsvDatasetWriter.ToBytes(holdout.SelectRows(Enumerable.Range(0, freshRows).ToArray())));

        await using var session = await fixture.SessionAsync(nameof(Admin_SetsTheEmbargoAndRefreshesTheHoldout_ClosesTheCompetition));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, email);

            var mark = BrowserSession.Mark();
            await page.GotoAsync($"organize/{slug}/settings");
            await session.InteractiveAsync(mark);
            await page.GetByTestId("embargo-days").FillAsync("14");
            await page.GetByTestId("save-settings").ClickAsync();
            await Expect(page.GetByTestId("settings-message")).ToContainTextAsync("14 days after approval");

            mark = BrowserSession.Mark();
            await page.GotoAsync($"organize/{slug}/holdout");
            await session.InteractiveAsync(mark);
            await Expect(page.GetByTestId("accept-budget")).ToHaveTextAsync(new Regex(@"^\d+ / 2,001$"));
            await page.GetByTestId("holdout-upload").SetInputFilesAsync(holdoutPath);
            await page.GetByTestId("holdout-refresh").ClickAsync();
            await Expect(page.GetByTestId("holdout-message")).ToContainTextAsync($"{freshRows:N0} rows", new() { Timeout = 60_000 });
            await session.ShotAsync("holdout-refreshed");

            mark = BrowserSession.Mark();
            await page.GotoAsync($"organize/{slug}/payouts");
            await session.InteractiveAsync(mark);
            await page.GetByTestId("close-competition").ClickAsync();
            await page.GetByTestId("confirm-close").ClickAsync();
            await Expect(page.GetByTestId("closed-banner")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("payout-ledger")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("payout-export")).ToHaveAttributeAsync("href", $"organize/{slug}/payouts.csv");
            await session.ShotAsync("closed");
        });
        File.Delete(holdoutPath);
    }
}
