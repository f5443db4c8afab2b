using BiasBounty.Web.Persistence;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Teams;

public sealed class TeamMembershipTests(PlatformFactory platform) : IClassFixture<PlatformFactory>, IAsyncLifetime
{
    private readonly AsyncServiceScope _scope = platform.Scope();
    private Guid _competitionId;

    private ApplicationDbContext Db => platform.NewDb(_scope);

    private TeamMembership Teams => _scope.ServiceProvider.GetRequiredService<TeamMembership>();

    public async Task InitializeAsync() => _competitionId = (await Arrange.DemoCompetitionAsync(Db)).Id;

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task CreateAndJoin_PutTwoUsersInOneTeam_ByItsInviteCode()
    {
        var (db, teams, competitionId) = (Db, Teams, _competitionId);
        var ana = await Arrange.UserAsync(db, "Ana");
        var bo = await Arrange.UserAsync(db, "Bo");

        var created = await teams.CreateAsync(competitionId, ana.Id, "  Fairness Friends ");
        var joined = await teams.JoinAsync(bo.Id, created.Team!.InviteCode.ToLowerInvariant());

        Assert.Null(created.Error);
        Assert.Equal("Fairness Friends", created.Team.Name);
        Assert.Null(joined.Error);
        Assert.Equal(created.Team.Id, joined.Team!.Id);
        Assert.Equal(created.Team.Id, (await teams.ForUserAsync(competitionId, bo.Id))!.Id);
        Assert.Equal(created.Team.Id, (await teams.EnsureTeamAsync(competitionId, bo.Id)).Id);
    }

    [Fact]
    public async Task CreateAndJoin_AnswerEachBadInputWithAMessage()
    {
        var (db, teams, competitionId) = (Db, Teams, _competitionId);
        var cy = await Arrange.UserAsync(db, "Cy");
        var di = await Arrange.UserAsync(db, "Di");
        var first = await teams.CreateAsync(competitionId, cy.Id, "Taken Name");

        Assert.Equal("Give your team a name.", (await teams.CreateAsync(competitionId, di.Id, "  ")).Error);
        Assert.Contains("at most 100", (await teams.CreateAsync(competitionId, di.Id, new string('x', 101))).Error);
        Assert.Contains("already exists", (await teams.CreateAsync(competitionId, di.Id, "Taken Name")).Error);
        Assert.Equal("There is no such competition.", (await teams.CreateAsync(Guid.NewGuid(), di.Id, "Elsewhere")).Error);
        Assert.Contains("already in team “Taken Name”", (await teams.CreateAsync(competitionId, cy.Id, "Second")).Error);
        Assert.Equal("Enter the invite code a team member gave you.", (await teams.JoinAsync(di.Id, "")).Error);
        Assert.Equal("No team has this invite code.", (await teams.JoinAsync(di.Id, "NOPE")).Error);
        var own = await teams.CreateAsync(competitionId, di.Id, "Di's");
        Assert.Contains("already in team “Di's”", (await teams.JoinAsync(di.Id, first.Team!.InviteCode)).Error);
        Assert.Null(own.Error);
    }

    [Fact]
    public async Task EnsureTeam_GivesAUserWithoutATeamATeamOfOne_WithAUniqueName()
    {
        var (db, teams, competitionId) = (Db, Teams, _competitionId);
        var first = await Arrange.UserAsync(db, "Same Name");
        var second = await Arrange.UserAsync(db, "Same Name");

        var a = await teams.EnsureTeamAsync(competitionId, first.Id);
        var b = await teams.EnsureTeamAsync(competitionId, second.Id);

        Assert.Equal("Same Name", a.Name);
        Assert.Equal("Same Name 2", b.Name);
        Assert.Equal(a.Id, (await teams.EnsureTeamAsync(competitionId, first.Id)).Id);
    }
}
