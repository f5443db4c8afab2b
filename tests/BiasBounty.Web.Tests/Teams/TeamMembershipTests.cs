using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Teams;

public sealed class TeamMembershipTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task CreateAndJoin_PutTwoUsersInOneTeam_ByItsInviteCode()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var teams = scope.ServiceProvider.GetRequiredService<TeamMembership>();
        var competition = await Arrange.DemoCompetitionAsync(db);
        var ana = await Arrange.UserAsync(db, "Ana");
        var bo = await Arrange.UserAsync(db, "Bo");

        var created = await teams.CreateAsync(competition.Id, ana.Id, "  Fairness Friends ");
        var joined = await teams.JoinAsync(bo.Id, created.Team!.InviteCode.ToLowerInvariant());

        Assert.Null(created.Error);
        Assert.Equal("Fairness Friends", created.Team.Name);
        Assert.Null(joined.Error);
        Assert.Equal(created.Team.Id, joined.Team!.Id);
        Assert.Equal(created.Team.Id, (await teams.ForUserAsync(competition.Id, bo.Id))!.Id);
        Assert.Equal(created.Team.Id, (await teams.EnsureTeamAsync(competition.Id, bo.Id)).Id);
    }

    [Fact]
    public async Task CreateAndJoin_AnswerEachBadInputWithAMessage()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var teams = scope.ServiceProvider.GetRequiredService<TeamMembership>();
        var competition = await Arrange.DemoCompetitionAsync(db);
        var cy = await Arrange.UserAsync(db, "Cy");
        var di = await Arrange.UserAsync(db, "Di");
        var first = await teams.CreateAsync(competition.Id, cy.Id, "Taken Name");

        Assert.Equal("Give your team a name.", (await teams.CreateAsync(competition.Id, di.Id, "  ")).Error);
        Assert.Contains("at most 100", (await teams.CreateAsync(competition.Id, di.Id, new string('x', 101))).Error);
        Assert.Contains("already exists", (await teams.CreateAsync(competition.Id, di.Id, "Taken Name")).Error);
        Assert.Equal("There is no such competition.", (await teams.CreateAsync(Guid.NewGuid(), di.Id, "Elsewhere")).Error);
        Assert.Contains("already in team “Taken Name”", (await teams.CreateAsync(competition.Id, cy.Id, "Second")).Error);
        Assert.Equal("Enter the invite code a team member gave you.", (await teams.JoinAsync(di.Id, "")).Error);
        Assert.Equal("No team has this invite code.", (await teams.JoinAsync(di.Id, "NOPE")).Error);
        var own = await teams.CreateAsync(competition.Id, di.Id, "Di's");
        Assert.Contains("already in team “Di's”", (await teams.JoinAsync(di.Id, first.Team!.InviteCode)).Error);
        Assert.Null(own.Error);
    }

    [Fact]
    public async Task EnsureTeam_GivesAUserWithoutATeamATeamOfOne_WithAUniqueName()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var teams = scope.ServiceProvider.GetRequiredService<TeamMembership>();
        var competition = await Arrange.DemoCompetitionAsync(db);
        var first = await Arrange.UserAsync(db, "Same Name");
        var second = await Arrange.UserAsync(db, "Same Name");

        var a = await teams.EnsureTeamAsync(competition.Id, first.Id);
        var b = await teams.EnsureTeamAsync(competition.Id, second.Id);

        Assert.Equal("Same Name", a.Name);
        Assert.Equal("Same Name 2", b.Name);
        Assert.Equal(a.Id, (await teams.EnsureTeamAsync(competition.Id, first.Id)).Id);
    }
}
