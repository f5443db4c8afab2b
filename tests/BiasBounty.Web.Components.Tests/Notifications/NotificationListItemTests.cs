using BiasBounty.Web.Notifications;
using Microsoft.AspNetCore.Components;

namespace BiasBounty.Web.Components.Tests.Notifications;

public sealed class NotificationListItemTests : BunitContext
{
    public NotificationListItemTests() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));

    private static NotificationItem Item(bool read, string? link = "submissions/0195f3c0-0000-7000-8000-000000000000") =>
        new(Guid.NewGuid(), Notification.Triage, "Your submission was approved", "age >= 60: approved.", link, DateTimeOffset.UtcNow, read);

    [Fact]
    public void Unread_IsHighlighted_WithItsLink_AndCanBeMarkedRead()
    {
        var item = Item(read: false);
        NotificationItem? marked = null;
        var cut = Render<NotificationListItem>(p => p.Add(x => x.Item, item).Add(x => x.OnMarkRead, (NotificationItem n) => marked = n));

        var li = cut.Find("li[data-testid=notification]");
        Assert.Equal("unread", li.ClassName);
        Assert.Equal("Your submission was approved", cut.Find(".title").TextContent);
        Assert.Equal("age >= 60: approved.", cut.Find(".body").TextContent);
        Assert.Equal(item.Link, cut.Find("a[data-testid=notification-link]").GetAttribute("href"));

        cut.Find("button[data-testid=mark-read]").Click();
        Assert.Same(item, marked);
    }

    [Fact]
    public void Read_IsPlain_WithoutAMarkButton()
    {
        var cut = Render<NotificationListItem>(p => p.Add(x => x.Item, Item(read: true)));

        Assert.Equal("read", cut.Find("li[data-testid=notification]").ClassName);
        Assert.Empty(cut.FindAll("[data-testid=mark-read]"));
    }

    [Fact]
    public void Opening_MarksReadThroughTheCallback()
    {
        var item = Item(read: false);
        NotificationItem? opened = null;
        var cut = Render<NotificationListItem>(p => p.Add(x => x.Item, item).Add(x => x.OnOpen, (NotificationItem n) => opened = n));

        cut.Find("a[data-testid=notification-link]").Click();
        Assert.Same(item, opened);
    }

    [Fact]
    public void ALinkOffTheSite_IsNotRendered()
    {
        var cut = Render<NotificationListItem>(p => p.Add(x => x.Item, Item(read: false, link: "https://evil.example/")));

        Assert.Empty(cut.FindAll("a"));
    }
}
