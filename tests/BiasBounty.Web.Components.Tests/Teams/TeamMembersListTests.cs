using BiasBounty.Web.Teams;

namespace BiasBounty.Web.Components.Tests.Teams;

public sealed class TeamMembersListTests : BunitContext
{
    [Fact]
    public void List_HasOneItemPerMember_WithNameAndWhoIsYou_AndOnlyTheViewersOwnEmail()
    {
        TeamMemberView[] members =
        [
            new("u1", "Ana", "ana@example.org", DateTimeOffset.Parse("2026-11-01T10:00:00Z")),
            new("u2", "bo", "bo@example.org", DateTimeOffset.Parse("2026-11-02T10:00:00Z")),
        ];

        var cut = Render<TeamMembersList>(p => p.Add(x => x.Members, members).Add(x => x.CurrentUserId, "u2"));

        var items = cut.FindAll("[data-testid=team-members] li");
        Assert.Equal(["u1", "u2"], items.Select(li => li.GetAttribute("data-user-id")));
        Assert.Equal(["Ana", "bo"], items.Select(li => li.QuerySelector(".member-name")!.TextContent));
        // No part of another member's address is shown, even if the view were given it.
        Assert.Null(items[0].QuerySelector(".member-email"));
        Assert.DoesNotContain("ana", items[0].TextContent.Replace("Ana", ""));
        Assert.Equal("bo@example.org", items[1].QuerySelector(".member-email")!.TextContent);
        Assert.DoesNotContain("you", items[0].TextContent);
        Assert.Contains("you", items[1].TextContent);
    }

    [Fact]
    public void EmptyTeam_SaysItKeepsItsPoints()
    {
        var cut = Render<TeamMembersList>(p => p.Add(x => x.Members, Array.Empty<TeamMemberView>()));

        Assert.Empty(cut.FindAll("[data-testid=team-members] li"));
        Assert.Contains("keeps its submissions and points", cut.Markup);
    }
}
