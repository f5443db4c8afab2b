using System.Text.RegularExpressions;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Review;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// A participant's notification centre and team page, against the issue-4 UI contract: <c>/notifications</c> with the
/// unread count in the navigation and mark-all-read, and <c>/teams/{teamId}</c> with its members and leaving (confirmed).
/// </summary>
[Collection(BrowserCollection.Name)]
public class ParticipantCentreTests(BrowserFixture fixture)
{
    private const string TriageTitle = "Your finding was approved";

    [Fact]
    public async Task Participant_ReadsTheVerdictAndTriageNotices_MarksThemReadAndLeavesTheTeam()
    {
        var platform = fixture.Platform;
        var competition = await WalkArrange.CompetitionAsync(platform, "Members");
        var email = await AccountPages.ConfirmedUserAsync(platform, "member");
        var (team, teammate) = await TeamOfTwoAsync(email, competition.Id, "Pair " + WalkPages.Unique());
        var submission = await WalkArrange.ScoredAsync(platform, new WalkTeam(team.Id, team.Name, team.UserId), "age >= 60"); // a verdict notice
        await ApproveAndTellAsync(submission, team.Id); // a triage notice

        await using var session = await fixture.SessionAsync(nameof(Participant_ReadsTheVerdictAndTriageNotices_MarksThemReadAndLeavesTheTeam));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, email);
            var unread = page.GetByTestId("unread-count");
            await Expect(unread).ToHaveTextAsync("2");
            await session.ShotAsync("unread-count");

            await WalkPages.FollowAsync(session, page.GetByTestId("nav-notifications"), "notifications");
            var notices = page.GetByTestId("notification");
            await Expect(notices).ToHaveCountAsync(2);
            await Expect(page.Locator("li[data-testid='notification'].unread")).ToHaveCountAsync(2);
            await Expect(notices.Filter(new() { HasText = TriageTitle })).ToHaveCountAsync(1);
            await Expect(notices.Filter(new() { HasText = "Verdict on your submission" })).ToHaveCountAsync(1);
            await Expect(notices.Filter(new() { HasText = TriageTitle }).Locator($"a[href*='submissions/{submission}']")).ToHaveCountAsync(1);
            await session.ShotAsync("notifications-unread");

            await page.GetByTestId("mark-all-read").ClickAsync();
            await Expect(page.Locator("li[data-testid='notification'].unread")).ToHaveCountAsync(0);
            await Expect(page.Locator("li[data-testid='notification'].read")).ToHaveCountAsync(2);
            await session.ShotAsync("notifications-read");
            await page.ReloadAsync();
            await Expect(page.Locator("li[data-testid='notification'].read")).ToHaveCountAsync(2);
            // the count is gone (or says 0) once nothing is unread
            await Expect(unread.Filter(new() { HasTextRegex = new Regex("[1-9]") })).ToHaveCountAsync(0);
            await session.ShotAsync("notifications-after-reload");

            // the team page: both members; leaving takes a confirmation
            await WalkPages.OpenAsync(session, "teams");
            await WalkPages.FollowAsync(session, page.Locator($"a[data-testid='team-page'][href$='teams/{team.Id}']"), $"teams/{team.Id}");
            var members = page.GetByTestId("team-members").Locator("li");
            await Expect(members).ToHaveCountAsync(2);
            // the teammate by display name, or by the address made from it
            await Expect(members.Filter(new() { HasTextRegex = new Regex(Regex.Escape(teammate).Replace(@"\ ", "[ -]"), RegexOptions.IgnoreCase) }))
                .ToHaveCountAsync(1);
            await Expect(page.GetByTestId("invite-code")).ToHaveTextAsync(new Regex(@"\S"));
            await Expect(page.Locator("table[data-testid='team-submissions']")).ToContainTextAsync("age");
            await session.ShotAsync("team-page");

            await page.GetByTestId("leave-team").ClickAsync();
            var confirm = page.GetByTestId("confirm-leave");
            await Expect(confirm).ToBeVisibleAsync();
            await session.ShotAsync("leave-confirmation");
            await confirm.ClickAsync();
            await WaitUntilLeftAsync(team.Id, email);
            await session.ShotAsync("left");

            // no longer a member: the team's submissions are not shown
            await page.GotoAsync($"teams/{team.Id}");
            await Expect(page.Locator("table[data-testid='team-submissions']")).ToHaveCountAsync(0);
            await session.ShotAsync("team-page-after-leaving");
        });
    }

    /// <summary>The participant (who logs in) and a teammate (display name returned) in one new team.</summary>
    private async Task<(WalkTeam Team, string TeammateName)> TeamOfTwoAsync(string email, Guid competitionId, string name)
    {
        await using var scope = fixture.Platform.Scope();
        var db = fixture.Platform.NewDb(scope);
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var team = await Arrange.TeamOfAsync(db, competitionId, user, name);
        var teammate = await Arrange.UserAsync(db, "Teammate " + WalkPages.Unique());
        db.TeamMembers.Add(new TeamMember { TeamId = team.Id, CompetitionId = competitionId, UserId = teammate.Id });
        await db.SaveChangesAsync();
        return (new WalkTeam(team.Id, team.Name, user.Id), teammate.DisplayName!);
    }

    /// <summary>An approval with its notice to the team, as the triage page sends it (arranged: not this walk's subject).</summary>
    private async Task ApproveAndTellAsync(Guid submissionId, Guid teamId)
    {
        await WalkArrange.ApproveAsync(fixture.Platform, submissionId, DateTimeOffset.UtcNow.AddDays(30), "Nice work.");
        await using var scope = fixture.Platform.Scope();
        var db = fixture.Platform.NewDb(scope);
        var competitionId = await db.Submissions.Where(s => s.Id == submissionId).Select(s => s.CompetitionId).SingleAsync();
        await scope.ServiceProvider.GetRequiredService<Notifier>().TellTeamAsync(teamId, new TeamMessage(
            competitionId, submissionId, Notification.Triage, TriageTitle, $"{TriageState.Approved.Label()}: Nice work.", $"submissions/{submissionId}"));
        await db.SaveChangesAsync();
    }

    private async Task WaitUntilLeftAsync(Guid teamId, string email)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            await using var scope = fixture.Platform.Scope();
            var db = fixture.Platform.NewDb(scope);
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            if (!await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == userId)) return;
            Assert.True(DateTime.UtcNow < deadline, "the participant is still a member after confirming the leave");
            await Task.Delay(200);
        }
    }
}
