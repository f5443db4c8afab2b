using System.Net;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Tests.Participants;

/// <summary>Who may see a team page and a team's submission over HTTP: members only; everyone else gets 404 or the login.</summary>
public sealed class TeamPageTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task TeamPage_ShowsMembersCodeAndSubmissions_ToAMember()
    {
        var ana = await ParticipantArrange.MemberAsync(platform, "Page Team");
        var bo = await ParticipantArrange.MemberAsync(platform, "", ana.Team);
        var submissionId = await ParticipantArrange.SubmissionAsync(platform, bo, "age >= 60");

        var response = await ana.Client.GetAsync($"/teams/{ana.Team.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = ParticipantArrange.Html(await response.Content.ReadAsStringAsync());
        Assert.Equal("Page Team", page.QuerySelector("[data-testid=current-team]")!.TextContent);
        var members = page.QuerySelectorAll("[data-testid=team-members] li").Select(li => li.GetAttribute("data-user-id")).ToHashSet();
        Assert.Equal([ana.User.Id, bo.User.Id], members);
        // Fellow members see each other's display name, never an e-mail address (Ana sees only her own).
        var memberList = page.QuerySelector("[data-testid=team-members]")!.TextContent;
        Assert.DoesNotContain(bo.User.Email!.Split('@')[0], memberList);
        Assert.Contains(bo.User.DisplayName!, memberList);
        Assert.Contains(ana.User.Email!, memberList);
        Assert.Equal(ana.Team.InviteCode, page.QuerySelector("[data-testid=invite-code]")!.TextContent);
        Assert.NotNull(page.QuerySelector("button[data-testid=leave-team]"));
        var row = Assert.Single(page.QuerySelectorAll("table[data-testid=team-submissions] tbody tr"));
        Assert.Equal(submissionId.ToString(), row.GetAttribute("data-submission-id"));
        Assert.Equal("Awaiting the engine", row.QuerySelector("td.triage")!.TextContent);

        var teams = ParticipantArrange.Html(await ana.Client.GetStringAsync($"/teams?competition={DemoSeeder.Slug}"));
        Assert.Equal($"teams/{ana.Team.Id}", teams.QuerySelector("a[data-testid=team-page]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task TeamAndSubmissionPages_Are404_ToOtherTeams_TheOrganizer_AnAdmin_AndAFormerMember_AndAskAnonymousToLogIn()
    {
        var member = await ParticipantArrange.MemberAsync(platform, "Private Team");
        var formerMember = await ParticipantArrange.MemberAsync(platform, "", member.Team);
        var otherTeam = await ParticipantArrange.MemberAsync(platform, "Curious Team");
        var organizer = await ParticipantArrange.MemberAsync(platform, "Organizer Team", roles: [Roles.Organizer, Roles.Participant]);
        var admin = await ParticipantArrange.MemberAsync(platform, "Admin Team", roles: [Roles.Admin]);
        Guid submissionId;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            competition.OrganizerId = organizer.User.Id; // the organizer of this very competition, yet not in the team
            await db.SaveChangesAsync();
            submissionId = (await Arrange.SubmissionAsync(db, competition, member.User, member.Team, "age >= 60")).Id;
            db.TeamMembers.Remove(await db.TeamMembers.SingleAsync(m => m.UserId == formerMember.User.Id && m.TeamId == member.Team.Id));
            await db.SaveChangesAsync();
        }
        string[] paths = [$"/teams/{member.Team.Id}", $"/submissions/{submissionId}"];

        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync(path)).StatusCode);
            foreach (var (who, client) in new[] { ("other team", otherTeam.Client), ("organizer", organizer.Client), ("admin", admin.Client), ("former member", formerMember.Client) })
            {
                var refused = await client.GetAsync(path);
                Assert.True(HttpStatusCode.NotFound == refused.StatusCode, $"{who} got {refused.StatusCode} on {path}");
                var body = await refused.Content.ReadAsStringAsync();
                Assert.DoesNotContain("age &gt;= 60", body);
                Assert.DoesNotContain(member.Team.InviteCode, body);
            }
            var anonymous = await (await SignedInClient.CreateAsync(platform)).GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await member.Client.GetAsync($"/teams/{Guid.NewGuid()}")).StatusCode);
    }
}
