using System.Net;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Hosting;

public sealed class StartupTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Startup_MigratesAndSeedsTheDemoCompetition_WithVersionZeroLedgersAndOrganizer()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var competition = await Arrange.DemoCompetitionAsync(db);
        var version = Assert.Single(await db.DecisionListVersions.Where(v => v.CompetitionId == competition.Id).ToListAsync());
        Assert.Equal(0, version.Version);
        Assert.InRange(version.FeedbackLoss, 0.10, 0.20); // a logistic baseline errs on about 15 % of adult.test
        Assert.NotNull(await db.Ledgers.SingleAsync(l => l.CompetitionId == competition.Id));
        Assert.Equal(3, await db.StoredFiles.CountAsync(f => f.CompetitionId == competition.Id));

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var organizer = await users.FindByEmailAsync(new DemoOptions().OrganizerEmail);
        Assert.NotNull(organizer);
        Assert.True(await users.IsInRoleAsync(organizer, Roles.Organizer));
        Assert.Equal(Roles.All.Order(), (await db.Roles.Select(r => r.Name!).ToListAsync()).Order());
    }

    [Fact]
    public async Task Leaderboard_RendersForAnAnonymousViewer()
    {
        var response = await platform.CreateClient().GetAsync($"/competitions/{DemoSeeder.Slug}/leaderboard");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Adult income (UCI demo)", html);
        Assert.Contains("No team has a scored submission yet", html);
    }

    [Fact]
    public async Task Home_ListsTheDemoCompetition_AndLinksToItsLeaderboard()
    {
        var html = await platform.CreateClient().GetStringAsync("/");
        Assert.Contains($"competitions/{DemoSeeder.Slug}/leaderboard", html);
    }

    [Fact]
    public async Task Leaderboard_Answers404_ForAnUnknownCompetition()
    {
        var response = await platform.CreateClient().GetAsync("/competitions/no-such-thing/leaderboard");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TemplateIdentityPages_Render()
    {
        var client = platform.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Register")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
    }
}
