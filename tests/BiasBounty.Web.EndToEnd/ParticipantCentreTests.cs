using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>The notification centre and the team page in a browser: marking read updates the list and the nav badge;
/// leaving a team asks for confirmation.</summary>
[Collection(BrowserCollection.Name)]
public class ParticipantCentreTests(BrowserFixture fixture)
{
    private async Task<(Guid TeamId, string Email)> TeamWithNoticesAsync(string who, int notices)
    {
        var email = await AccountPages.ConfirmedUserAsync(fixture.Platform, who);
        await using var scope = fixture.Platform.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BiasBounty.Web.Persistence.ApplicationDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var team = await Arrange.TeamOfAsync(db, (await Arrange.DemoCompetitionAsync(db)).Id, user, $"{who} {Guid.NewGuid():N}"[..20]);
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        for (var i = 1; i <= notices; i++)
            await notifier.TellTeamAsync(team.Id, new TeamMessage(team.CompetitionId, null, Notification.Triage, $"Notice {i}", "Body", $"teams/{team.Id}"));
        await db.SaveChangesAsync();
        return (team.Id, email);
    }

    [Fact]
    public async Task Marking_all_read_updates_the_list_and_the_nav_badge_and_leaving_a_team_asks_first()
    {
        var (teamId, email) = await TeamWithNoticesAsync("notified", 2);
        await using var session = await fixture.SessionAsync(nameof(Marking_all_read_updates_the_list_and_the_nav_badge_and_leaving_a_team_asks_first));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, email);
            var mark = BrowserSession.Mark();
            await page.GotoAsync("notifications");
            await session.InteractiveAsync(mark);
            await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync("2");
            await Expect(page.Locator("li[data-testid=notification].unread")).ToHaveCountAsync(2);

            await page.Locator("li[data-testid=notification]").First.GetByTestId("mark-read").ClickAsync();
            await Expect(page.Locator("li[data-testid=notification].unread")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync("1");

            await page.GetByTestId("mark-all-read").ClickAsync();
            await Expect(page.Locator("li[data-testid=notification].read")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync("0");
            await session.ShotAsync("all-read");

            // the link leads to the team page
            await page.Locator("li[data-testid=notification]").First.GetByTestId("notification-link").ClickAsync();
            await page.WaitForURLAsync($"**/teams/{teamId}");
            await Expect(page.GetByTestId("team-members").Locator("li")).ToHaveCountAsync(1);
            mark = BrowserSession.Mark();
            await page.ReloadAsync();
            await session.InteractiveAsync(mark);
            await session.ShotAsync("team-page");
            await page.GetByTestId("leave-team").ClickAsync();
            await Expect(page.GetByTestId("leave-confirmation")).ToContainTextAsync("last member");
            await session.ShotAsync("confirm-leave");
            await page.GetByTestId("confirm-leave").ClickAsync();
            await Expect(page.GetByTestId("left-team")).ToBeVisibleAsync();
            await session.ShotAsync("left");
        });
    }
}
