using System.Net;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Notifications;

/// <summary>The notification centre: a user's own notifications only, newest first, marked read one by one or all at once.</summary>
public sealed class NotificationCentreTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task TellAsync(Participant member, string title, string? link = null)
    {
        await using var scope = platform.Scope();
        await scope.ServiceProvider.GetRequiredService<Notifier>().TellTeamAsync(member.Team.Id,
            new TeamMessage(member.Team.CompetitionId, null, Notification.Triage, title, $"Body of {title}", link));
        await platform.NewDb(scope).SaveChangesAsync();
    }

    private async Task<T> WithCentreAsync<T>(Func<NotificationCentre, Task<T>> action)
    {
        await using var scope = platform.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<NotificationCentre>());
    }

    [Fact]
    public async Task Centre_ListsOwnNotificationsNewestFirst_AndMarksOnlyOwnRead()
    {
        var ana = await ParticipantArrange.MemberAsync(platform, "Told Team");
        var eve = await ParticipantArrange.MemberAsync(platform, "Other Told Team");
        await TellAsync(ana, "First");
        await TellAsync(ana, "Second");
        await TellAsync(eve, "For Eve");

        var list = await WithCentreAsync(c => c.ListAsync(ana.User.Id));
        Assert.Equal(["Second", "First"], list.Select(n => n.Title));
        Assert.All(list, n => Assert.False(n.IsRead));
        Assert.Equal(2, await WithCentreAsync(c => c.UnreadCountAsync(ana.User.Id)));
        var eves = Assert.Single(await WithCentreAsync(c => c.ListAsync(eve.User.Id)));

        // a tampered id (Eve's notification) neither marks nor reveals anything
        Assert.False(await WithCentreAsync(c => c.MarkReadAsync(ana.User.Id, eves.Id)));
        Assert.False(await WithCentreAsync(c => c.MarkReadAsync(ana.User.Id, Guid.NewGuid())));
        Assert.False(Assert.Single(await WithCentreAsync(c => c.ListAsync(eve.User.Id))).IsRead);

        Assert.True(await WithCentreAsync(c => c.MarkReadAsync(ana.User.Id, list[1].Id)));
        Assert.Equal([false, true], (await WithCentreAsync(c => c.ListAsync(ana.User.Id))).Select(n => n.IsRead));
        Assert.Equal(1, await WithCentreAsync(c => c.UnreadCountAsync(ana.User.Id)));

        Assert.Equal(1, await WithCentreAsync(c => c.MarkAllReadAsync(ana.User.Id)));
        Assert.Equal(0, await WithCentreAsync(c => c.UnreadCountAsync(ana.User.Id)));
        Assert.Equal(1, await WithCentreAsync(c => c.UnreadCountAsync(eve.User.Id)));
        await using var scope = platform.Scope();
        Assert.Null(await platform.NewDb(scope).Notifications.Where(n => n.Id == eves.Id).Select(n => n.ReadAt).SingleAsync());
    }

    [Fact]
    public async Task Page_ShowsOwnNotifications_UnreadHighlighted_WithTheirLinks_AndTheNavCountsThem()
    {
        var ana = await ParticipantArrange.MemberAsync(platform, "Paged Team");
        var eve = await ParticipantArrange.MemberAsync(platform, "Hidden Team");
        await TellAsync(ana, "Verdict in", "submissions/0195f3c0-0000-7000-8000-000000000000");
        await TellAsync(ana, "Approved");
        await TellAsync(eve, "Secret for Eve");
        await WithCentreAsync(async c => await c.MarkReadAsync(ana.User.Id, (await c.ListAsync(ana.User.Id)).Single(n => n.Title == "Approved").Id));

        var response = await ana.Client.GetAsync("/notifications");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = ParticipantArrange.Html(await response.Content.ReadAsStringAsync());
        var items = page.QuerySelectorAll("li[data-testid=notification]");
        Assert.Equal(["Approved", "Verdict in"], items.Select(li => li.QuerySelector(".title")!.TextContent));
        Assert.Equal(["read", "unread"], items.Select(li => li.ClassName));
        Assert.Equal("submissions/0195f3c0-0000-7000-8000-000000000000", items[1].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Body of Verdict in", items[1].TextContent);
        Assert.NotNull(page.QuerySelector("button[data-testid=mark-all-read]"));
        Assert.DoesNotContain("Secret for Eve", page.DocumentElement.OuterHtml);
        Assert.Equal("1", page.QuerySelector("a[data-testid=nav-notifications] span[data-testid=unread-count]")!.TextContent);

        var home = ParticipantArrange.Html(await eve.Client.GetStringAsync("/"));
        Assert.Equal("1", home.QuerySelector("a[data-testid=nav-notifications] [data-testid=unread-count]")!.TextContent);

        var anonymous = await (await SignedInClient.CreateAsync(platform)).GetAsync("/notifications");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString);
        Assert.Null(ParticipantArrange.Html(await platform.CreateClient().GetStringAsync("/")).QuerySelector("[data-testid=nav-notifications]"));
    }

    [Theory]
    [InlineData("submissions/0195f3c0-0000-7000-8000-000000000000", true)]
    [InlineData("competitions/adult-income/leaderboard", true)]
    [InlineData("https://evil.example/phish", false)]
    [InlineData("//evil.example/phish", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("javascript:alert(1)", false)]
    public void Link_IsOnlyRendered_WhenItStaysOnTheSite(string link, bool rendered)
    {
        var item = new NotificationItem(Guid.NewGuid(), Notification.Verdict, "t", "b", link, DateTimeOffset.UtcNow, false);
        Assert.Equal(rendered ? link : null, item.SafeLink);
    }
}
