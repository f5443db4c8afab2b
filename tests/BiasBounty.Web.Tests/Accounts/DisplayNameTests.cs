using System.Net;
using System.Text.RegularExpressions;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Accounts;

/// <summary>Issue 11: accounts have a public display name; no part of an e-mail address is shown to anyone but its owner.</summary>
public sealed partial class DisplayNameTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task<(HttpResponseMessage Response, string Email)> RegisterAsync(string displayName, string password = SignedInClient.Password)
    {
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/Account/Register");
        var email = $"secretprefix{Guid.NewGuid():N}@example.org";
        var response = await client.PostAsync("/Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register", ["__RequestVerificationToken"] = Antiforgery().Match(form).Groups[1].Value,
            ["Input.Email"] = email, ["Input.DisplayName"] = displayName, ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        }));
        return (response, email);
    }

    private async Task<ApplicationUser?> UserAsync(string email)
    {
        await using var scope = platform.Scope();
        return await platform.NewDb(scope).Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email);
    }

    [Fact]
    public async Task Register_WithADisplayName_StoresIt()
    {
        var name = "Quiet Owl " + Guid.NewGuid().ToString("N")[..6];

        var (response, email) = await RegisterAsync("  " + name + " ");

        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"{response.StatusCode}");
        Assert.Equal(name, (await UserAsync(email))!.DisplayName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("ana@example.org")]
    [InlineData("<script>")]
    public async Task Register_IsRefused_WithoutAValidDisplayName(string displayName)
    {
        var (response, email) = await RegisterAsync(displayName);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the form again, with the error
        Assert.Null(await UserAsync(email));
    }

    [Fact]
    public async Task Register_IsRefused_WhenAnotherUserHasTheName_InAnyCase()
    {
        var name = "Taken Name " + Guid.NewGuid().ToString("N")[..6];
        await RegisterAsync(name);

        var (response, email) = await RegisterAsync(name.ToUpperInvariant());

        Assert.Contains("is taken", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Null(await UserAsync(email));
    }

    [Fact]
    public async Task Register_WithAWeakPassword_NamesEveryRule()
    {
        var (response, _) = await RegisterAsync("Weak Password " + Guid.NewGuid().ToString("N")[..6], password: "abcdefgh");

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(PasswordRules.Text, html);
        Assert.Contains("uppercase", html.ToLowerInvariant().Replace("upper-case", "uppercase"));
        Assert.Contains("digit", html);
        Assert.True(PasswordRules.Describes(scopeOptions()));

        Microsoft.AspNetCore.Identity.PasswordOptions scopeOptions()
        {
            using var scope = platform.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Identity.IdentityOptions>>().Value.Password;
        }
    }

    [Fact]
    public async Task SubmittingWithoutATeam_ShowsTheDisplayName_AndNoPartOfTheEmail_OnTheLeaderboardAndInTheApi()
    {
        var name = "Private Heron " + Guid.NewGuid().ToString("N")[..6];
        var (_, email) = await RegisterAsync(name);
        var prefix = email.Split('@')[0];
        var user = (await UserAsync(email))!;
        Guid submissionId;
        await using (var scope = platform.Scope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
                .SubmitAsync(new SubmitRequest(DemoSeeder.Slug, user.Id, "age >= 60", null, null));
            submissionId = result.SubmissionId ?? throw new Xunit.Sdk.XunitException(string.Join("; ", result.Errors.Values));
        }
        await Arrange.FinishedAsync(platform, submissionId);

        var client = platform.CreateClient();
        var page = await client.GetStringAsync($"/competitions/{DemoSeeder.Slug}/leaderboard");
        var api = await client.GetStringAsync($"/api/v1/competitions/{DemoSeeder.Slug}/leaderboard");

        Assert.Contains(name, WebUtility.HtmlDecode(page));
        foreach (var body in new[] { page, api })
        {
            Assert.DoesNotContain(prefix, body);
            Assert.DoesNotContain("@example.org", body);
        }
    }

    [Fact]
    public async Task EnsureTeam_ForAUserWithoutADisplayName_UsesANeutralName_NeverTheEmail()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var email = $"leaky{Guid.NewGuid():N}@example.org";
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        db.Users.Add(user);
        await db.SaveChangesAsync();

        var team = await scope.ServiceProvider.GetRequiredService<TeamMembership>().EnsureTeamAsync((await Arrange.DemoCompetitionAsync(db)).Id, user.Id);

        Assert.StartsWith("participant-", team.Name);
        Assert.DoesNotContain("leaky", team.Name);
    }

    [Fact]
    public async Task Migration_RenamesTeamsNamedAfterAnEmail_AndGivesUsersWithoutANameANeutralOne()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await Arrange.DemoCompetitionAsync(db);
        var local = $"old.user_{Guid.NewGuid():N}"[..20];
        var user = new ApplicationUser { UserName = local + "@example.org", Email = local + "@example.org", EmailConfirmed = true };
        var kept = await Arrange.UserAsync(db, "Kept Name " + Guid.NewGuid().ToString("N")[..6]);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var plain = await Arrange.TeamOfAsync(db, competition.Id, user, local);
        var numbered = await Arrange.TeamOfAsync(db, (await CompetitionBuilder.New("Backfill").SaveAsync(db)).Id, user, local + " 2");
        var chosen = await Arrange.TeamOfAsync(db, competition.Id, kept, "Chosen " + Guid.NewGuid().ToString("N")[..6]);

        await db.Database.ExecuteSqlRawAsync(TeamMembership.RenameEmailNamedTeamsSql);
        await db.Database.ExecuteSqlRawAsync(DisplayNames.BackfillSql);

        db.ChangeTracker.Clear();
        var names = await db.Teams.Where(t => t.Id == plain.Id || t.Id == numbered.Id || t.Id == chosen.Id).ToDictionaryAsync(t => t.Id, t => t.Name);
        Assert.StartsWith("team-", names[plain.Id]);
        Assert.StartsWith("team-", names[numbered.Id]);
        Assert.Equal(chosen.Name, names[chosen.Id]);
        var backfilled = await db.Users.SingleAsync(u => u.Id == user.Id);
        Assert.StartsWith("participant-", backfilled.DisplayName);
        Assert.DoesNotContain("old", backfilled.DisplayName!);
        Assert.Equal(kept.DisplayName, (await db.Users.SingleAsync(u => u.Id == kept.Id)).DisplayName);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
