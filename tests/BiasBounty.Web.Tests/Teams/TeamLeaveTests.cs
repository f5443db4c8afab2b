using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Teams;

/// <summary>TeamMembership.LeaveAsync: who may leave, what stays with the team, and what a former member no longer sees.</summary>
public sealed class TeamLeaveTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task<TeamResult> LeaveAsync(Guid teamId, string userId)
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<TeamMembership>().LeaveAsync(teamId, userId);
    }

    [Fact]
    public async Task Leave_RemovesOnlyTheMember_TheTeamKeepsItsSubmissions_TheCodeChanges_AndTheFormerMemberSeesNothingOfIt()
    {
        var ana = await ParticipantArrange.MemberAsync(platform, "Leavers");
        var bo = await ParticipantArrange.MemberAsync(platform, "", ana.Team);
        var submissionId = await ParticipantArrange.SubmissionAsync(platform, bo, "age >= 60");

        var left = await LeaveAsync(ana.Team.Id, bo.User.Id);

        Assert.Null(left.Error);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var team = await db.Teams.Include(t => t.Members).AsNoTracking().SingleAsync(t => t.Id == ana.Team.Id);
            Assert.Equal([ana.User.Id], team.Members.Select(m => m.UserId));
            Assert.NotEqual(ana.Team.InviteCode, team.InviteCode);
            Assert.Equal(ana.Team.Id, (await db.Submissions.SingleAsync(s => s.Id == submissionId)).TeamId);
            var audit = await db.AuditEvents.SingleAsync(a => a.Kind == TeamMembership.LeftAuditKind && a.UserId == bo.User.Id);
            Assert.Equal(bo.User.Id, audit.ActorId);
            Assert.Contains("Leavers", audit.Detail);

            var teams = scope.ServiceProvider.GetRequiredService<TeamMembership>();
            var query = scope.ServiceProvider.GetRequiredService<SubmissionStatusQuery>();
            Assert.Null(await teams.ViewAsync(ana.Team.Id, bo.User.Id));
            Assert.Null(await query.ForAsync(submissionId, bo.User.Id));
            Assert.Empty(await query.ForTeamAsync(ana.Team.Id, bo.User.Id));
            Assert.Empty(await query.MineAsync(bo.User.Id));
            Assert.NotNull(await query.ForAsync(submissionId, ana.User.Id));

            // the former member may start over in the competition
            var created = await teams.CreateAsync(ana.Team.CompetitionId, bo.User.Id, "Bo Alone");
            Assert.Null(created.Error);
        }
        Assert.Equal("You are not in this team.", (await LeaveAsync(ana.Team.Id, bo.User.Id)).Error);
    }

    [Fact]
    public async Task Leave_ByTheLastMember_LeavesAnEmptyTeamThatKeepsItsPoints_AndTheMemberMayJoinAnother()
    {
        var solo = await ParticipantArrange.MemberAsync(platform, "Solo Leaver");
        var other = await ParticipantArrange.MemberAsync(platform, "Welcoming");
        await ParticipantArrange.ScoredSubmissionAsync(platform, solo, Arrange.MarriedGroup);
        IReadOnlyDictionary<Guid, TeamPoints> before;
        await using (var scope = platform.Scope())
            before = await TeamPoints.ForCompetitionAsync(platform.NewDb(scope), solo.Team.CompetitionId);
        Assert.True(before[solo.Team.Id].Points > 0);

        Assert.Null((await LeaveAsync(solo.Team.Id, solo.User.Id)).Error);

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            Assert.Empty(await db.TeamMembers.Where(m => m.TeamId == solo.Team.Id).ToListAsync());
            var after = await TeamPoints.ForCompetitionAsync(db, solo.Team.CompetitionId);
            Assert.Equal(before[solo.Team.Id], after[solo.Team.Id]);
            var joined = await scope.ServiceProvider.GetRequiredService<TeamMembership>().JoinAsync(solo.User.Id, other.Team.InviteCode);
            Assert.Null(joined.Error);
            Assert.Equal(other.Team.Id, joined.Team!.Id);
        }
    }

    [Fact]
    public async Task Leave_IsRefused_ForANonMember_AndOnceTheCompetitionIsClosed()
    {
        var member = await ParticipantArrange.MemberAsync(platform, "Stayers");
        var outsider = await ParticipantArrange.MemberAsync(platform, "Outsiders");
        Assert.Equal("You are not in this team.", (await LeaveAsync(member.Team.Id, outsider.User.Id)).Error);
        Assert.Equal("You are not in this team.", (await LeaveAsync(Guid.NewGuid(), member.User.Id)).Error);

        Guid closedTeamId;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var closed = await CompetitionBuilder.New("Closed").Closed().SaveAsync(db);
            closedTeamId = (await Arrange.TeamOfAsync(db, closed.Id, member.User, "Final Team")).Id;
        }
        var refused = await LeaveAsync(closedTeamId, member.User.Id);
        Assert.StartsWith("The competition is closed", refused.Error);
        await using (var scope = platform.Scope())
            Assert.True(await platform.NewDb(scope).TeamMembers.AnyAsync(m => m.TeamId == closedTeamId && m.UserId == member.User.Id));
    }
}
