using System.Security.Claims;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>The organizer's system-versions page driven like a browser would (bUnit), on the real platform and database.</summary>
public sealed class SystemVersionsPageTests : BunitContext, IClassFixture<PlatformFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly PlatformFactory _platform;
    private readonly string _organizerId;

    public SystemVersionsPageTests(PlatformFactory platform)
    {
        _platform = platform;
        (_organizerId, var email) = SignedInClient.UserAsync(platform, Roles.Organizer).GetAwaiter().GetResult();
        // The page opens a scope per action: give bUnit's container the platform's services on the same database.
        Services.AddDbContext<ApplicationDbContext>(o => o.UseNpgsql(platform.ConnectionString));
        Services.AddSingleton(platform.Services.GetRequiredService<IOptions<PlatformOptions>>());
        Services.AddSingleton(platform.Jobs);
        Services.AddScoped<SystemVersionPublishing>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddLogging();
        AddAuthorization().SetAuthorized(email).SetRoles(Roles.Organizer).SetClaims(new Claim(ClaimTypes.NameIdentifier, _organizerId));
    }

    private async Task<Competition> SpeechCompetitionAsync()
    {
        await using var scope = _platform.Scope();
        return await CompetitionBuilder.New("Versions page").OrganizedBy(_organizerId).SaveWithSpeechDemoDataAsync(scope);
    }

    [Fact]
    public async Task Upload_ShowsTheRateBeforeAndAfter_ThenPublishesTheNamedVersion()
    {
        var competition = await SpeechCompetitionAsync();
        var (csv, _) = await SystemVersionArrange.EvaluationAsync(_platform, competition, SystemVersionArrange.HalveLoudNoise);
        var cut = Render<SystemVersionsPage>(p => p.Add(x => x.Slug, competition.Slug));
        cut.WaitForAssertion(() => Assert.Contains("Publish a new version", cut.Markup), Wait);
        Assert.True(cut.Find("[data-testid=version-publish]").HasAttribute("disabled"));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(csv, "retrained.csv"));
        cut.WaitForAssertion(() => Assert.Contains("1,152 items matched", cut.Find("[data-testid=version-preview]").TextContent), Wait);
        Assert.Matches(@"Word error rate, v0 → v1:", cut.Find("[data-testid=version-preview]").TextContent);
        Assert.Matches(@"\d+\.\d % → \d+\.\d %", cut.Find("[data-testid=version-preview] strong").TextContent);
        Assert.True(cut.Find("[data-testid=version-publish]").HasAttribute("disabled")); // not without a name

        await cut.Find("[data-testid=version-name]").InputAsync(new ChangeEventArgs { Value = "retrained on noisy data" });
        await cut.Find("[data-testid=version-publish]").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.StartsWith("Version 1 is published.", cut.Find("[data-testid=version-message]").TextContent), Wait);
        cut.WaitForAssertion(() => Assert.Contains("retrained on noisy data", cut.Find("table.system-versions tr[data-version='1']").TextContent), Wait);
    }

    [Fact]
    public async Task Upload_WithIdsThatAreNotTheCompetitions_SaysHowMany_AndCannotBePublished()
    {
        var competition = await SpeechCompetitionAsync();
        var (csv, dropped) = await SystemVersionArrange.EvaluationAsync(_platform, competition, (_, e) => e, dropFromHoldout: 3);
        var cut = Render<SystemVersionsPage>(p => p.Add(x => x.Slug, competition.Slug));
        cut.WaitForAssertion(() => Assert.Contains("Publish a new version", cut.Markup), Wait);

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(csv, "v1.csv"));

        cut.WaitForAssertion(() => Assert.Contains("3 item ids ('utterance_id') of the evaluation are missing from v1.csv",
            cut.Find("[data-testid=version-message]").TextContent), Wait);
        Assert.DoesNotContain(dropped, cut.Markup.Contains);
        Assert.Empty(cut.FindAll("[data-testid=version-preview]"));
        Assert.True(cut.Find("[data-testid=version-publish]").HasAttribute("disabled"));
    }
}
