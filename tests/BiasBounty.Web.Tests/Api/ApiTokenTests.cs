using System.Net;
using System.Security.Cryptography;
using System.Text;
using BiasBounty.Web.Api;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Api;

public sealed class ApiTokenTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private const string AuthenticatedCall = $"/api/v1/competitions/{DemoSeeder.Slug}/submissions";

    private static PersonalAccessTokens Tokens(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<PersonalAccessTokens>();

    [Fact]
    public async Task Create_StoresOnlyTheHashAndThePrefix_NeverTheToken()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Hash Keeper");

        Assert.Matches("^bb_[0-9a-f]{12}_[0-9a-f]{64}$", token);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var row = await db.ApiTokens.SingleAsync(t => t.UserId == user.Id);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), row.Hash);
        Assert.Equal(token.Substring(3, 12), row.Prefix);
        var secret = token[16..];
        var stored = await db.Database.SqlQuery<string>($"SELECT row_to_json(t)::text AS \"Value\" FROM \"ApiTokens\" t WHERE \"UserId\" = {user.Id}").SingleAsync();
        Assert.DoesNotContain(secret, stored);
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), secret); // sanity: the hash is not the secret
        var listed = Assert.Single(await Tokens(scope).ListAsync(user.Id));
        Assert.Equal($"bb_{row.Prefix}_…", listed.Display);
        Assert.Equal(30, (int)Math.Round((listed.ExpiresAt - listed.CreatedAt).TotalDays));
    }

    [Theory]
    [InlineData(null, 30, "Give the token a name")]
    [InlineData("  ", 30, "Give the token a name")]
    [InlineData("x", 7, "Choose an expiry of 30, 90, 365 days")]
    public async Task Create_RefusesAMissingNameOrAnUnofferedExpiry(string? name, int days, string message)
    {
        await using var scope = platform.Scope();
        var user = await Arrange.UserAsync(platform.NewDb(scope), "Bad Token Form");

        var created = await Tokens(scope).CreateAsync(user.Id, name, days);

        Assert.Null(created.Token);
        Assert.Contains(message, created.Error);
    }

    [Fact]
    public async Task Create_RefusesANameOver100Characters_AndAnEleventhActiveToken_UntilOneIsRevoked()
    {
        await using var scope = platform.Scope();
        var user = await Arrange.UserAsync(platform.NewDb(scope), "Token Hoarder");
        var tokens = Tokens(scope);

        Assert.Contains("at most 100 characters", (await tokens.CreateAsync(user.Id, new string('n', 101), 30)).Error);
        for (var i = 0; i < PersonalAccessTokens.MaxActive; i++) Assert.Null((await tokens.CreateAsync(user.Id, $"token {i}", 30)).Error);
        Assert.Contains("You have 10 active tokens", (await tokens.CreateAsync(user.Id, "one too many", 30)).Error);

        Assert.True(await tokens.RevokeAsync(user.Id, (await tokens.ListAsync(user.Id))[0].Id));
        Assert.Null((await tokens.CreateAsync(user.Id, "after revoking", 30)).Error);
    }

    [Fact]
    public async Task Revoke_OnlyTheOwnersTokens()
    {
        var (owner, _) = await ApiArrange.UserWithTokenAsync(platform, "Owner");
        await using var scope = platform.Scope();
        var other = await Arrange.UserAsync(platform.NewDb(scope), "Other");
        var tokens = Tokens(scope);
        var id = Assert.Single(await tokens.ListAsync(owner.Id)).Id;

        Assert.False(await tokens.RevokeAsync(other.Id, id));
        Assert.Null(Assert.Single(await tokens.ListAsync(owner.Id)).RevokedAt);
    }

    public static TheoryData<string?, string> Refusals => new()
    {
        { null, "needs a personal access token" },
        { "not-a-token", ApiTokenAuthenticationHandler.Unknown },
        { "bb_0123456789ab_" + new string('0', 64), ApiTokenAuthenticationHandler.Unknown },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ATokenCall_WithoutAValidToken_Is401_WithAProblemSayingWhy(string? token, string why)
    {
        var response = await ApiArrange.Client(platform, token).GetAsync(AuthenticatedCall);

        await AssertRefusedAsync(response, why);
    }

    [Fact]
    public async Task AnExpiredRevokedOrLockedOutToken_Is401_WithTheReason()
    {
        var (_, expired) = await ApiArrange.UserWithTokenAsync(platform, "Expired");
        var (_, revoked) = await ApiArrange.UserWithTokenAsync(platform, "Revoked");
        var (locked, lockedToken) = await ApiArrange.UserWithTokenAsync(platform, "Locked");
        var (_, stolen) = await ApiArrange.UserWithTokenAsync(platform, "Tampered");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            await db.ApiTokens.Where(t => t.Prefix == expired.Substring(3, 12)).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)));
            await db.ApiTokens.Where(t => t.Prefix == revoked.Substring(3, 12)).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, DateTimeOffset.UtcNow));
            await db.Users.Where(u => u.Id == locked.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnabled, true).SetProperty(u => u.LockoutEnd, DateTimeOffset.UtcNow.AddHours(1)));
        }

        await AssertRefusedAsync(await ApiArrange.Client(platform, expired).GetAsync(AuthenticatedCall), ApiTokenAuthenticationHandler.Expired);
        await AssertRefusedAsync(await ApiArrange.Client(platform, revoked).GetAsync(AuthenticatedCall), ApiTokenAuthenticationHandler.Revoked);
        await AssertRefusedAsync(await ApiArrange.Client(platform, lockedToken).GetAsync(AuthenticatedCall), ApiTokenAuthenticationHandler.LockedOut);
        // the right prefix with a wrong secret
        var tampered = stolen[..^1] + (stolen[^1] == '0' ? '1' : '0');
        await AssertRefusedAsync(await ApiArrange.Client(platform, tampered).GetAsync(AuthenticatedCall), ApiTokenAuthenticationHandler.Unknown);
        Assert.Equal(HttpStatusCode.OK, (await ApiArrange.Client(platform, stolen).GetAsync(AuthenticatedCall)).StatusCode);
    }

    [Fact]
    public async Task ANewPassword_RevokesEveryTokenMadeBefore()
    {
        var (user, before) = await ApiArrange.UserWithTokenAsync(platform, "Password Changer");
        await using (var scope = platform.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var stored = await users.FindByIdAsync(user.Id);
            Assert.True((await users.RemovePasswordAsync(stored!)).Succeeded); // as after a stolen session: the owner resets it
            Assert.True((await users.AddPasswordAsync(stored!, "A-new-passw0rd!")).Succeeded);
        }
        var after = await ApiArrange.TokenAsync(platform, user.Id, "made after");

        await AssertRefusedAsync(await ApiArrange.Client(platform, before).GetAsync(AuthenticatedCall), ApiTokenAuthenticationHandler.SecurityChanged);
        Assert.Equal(HttpStatusCode.OK, (await ApiArrange.Client(platform, after).GetAsync(AuthenticatedCall)).StatusCode);
    }

    [Fact]
    public async Task ConcurrentCreates_NeverPassTheActiveTokenLimit()
    {
        string userId;
        await using (var scope = platform.Scope())
            userId = (await Arrange.UserAsync(platform.NewDb(scope), "Racing Creator")).Id;

        var results = await Task.WhenAll(Enumerable.Range(0, PersonalAccessTokens.MaxActive + 4).Select(async i =>
        {
            await using var scope = platform.Scope();
            return await Tokens(scope).CreateAsync(userId, $"script {i}", 30);
        }));

        Assert.Equal(PersonalAccessTokens.MaxActive, results.Count(r => r.Token is not null));
        await using (var scope = platform.Scope())
            Assert.Equal(PersonalAccessTokens.MaxActive, await platform.NewDb(scope).ApiTokens.CountAsync(t => t.UserId == userId));
    }

    [Fact]
    public async Task TheFailedLoginLockout_DoesNotStopTokens()
    {
        // Anyone who knows the address can trigger this lockout with five wrong passwords.
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Briefly Locked");
        await using (var scope = platform.Scope())
            await platform.NewDb(scope).Users.Where(u => u.Id == user.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnabled, true).SetProperty(u => u.LockoutEnd, DateTimeOffset.UtcNow.AddMinutes(4)));

        Assert.Equal(HttpStatusCode.OK, (await ApiArrange.Client(platform, token).GetAsync(AuthenticatedCall)).StatusCode);
    }

    [Fact]
    public async Task APublicRead_WithABadToken_IsRefused_NotSilentlyAnonymous()
    {
        var (_, token) = await ApiArrange.UserWithTokenAsync(platform, "Revoked Reader");
        await using (var scope = platform.Scope())
            await platform.NewDb(scope).ApiTokens.Where(t => t.Prefix == token.Substring(3, 12))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, DateTimeOffset.UtcNow));

        foreach (var path in new[] { $"/api/v1/competitions/{DemoSeeder.Slug}", "/api/v1/competitions", $"/api/v1/competitions/{DemoSeeder.Slug}/leaderboard" })
            await AssertRefusedAsync(await ApiArrange.Client(platform, token).GetAsync(path), ApiTokenAuthenticationHandler.Revoked);
        Assert.Equal(HttpStatusCode.OK, (await ApiArrange.Client(platform).GetAsync($"/api/v1/competitions/{DemoSeeder.Slug}")).StatusCode);
    }

    [Fact]
    public async Task ACall_RecordsLastUse_AtMostOnceAMinute()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Last Use");
        var client = ApiArrange.Client(platform, token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(AuthenticatedCall)).StatusCode);
        DateTimeOffset? first;
        await using (var scope = platform.Scope())
            first = (await platform.NewDb(scope).ApiTokens.SingleAsync(t => t.UserId == user.Id)).LastUsedAt;
        Assert.NotNull(first);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(AuthenticatedCall)).StatusCode);
        await using (var scope = platform.Scope())
            Assert.Equal(first, (await platform.NewDb(scope).ApiTokens.SingleAsync(t => t.UserId == user.Id)).LastUsedAt);
    }

    [Fact]
    public async Task ASignedInBrowsersCookie_DoesNotAuthenticateTheApi()
    {
        var member = await ParticipantArrange.MemberAsync(platform, "Cookie Team");
        var submission = await ParticipantArrange.SubmissionAsync(platform, member, "age >= 60");

        var post = await member.Client.PostAsync(AuthenticatedCall, ApiArrange.SubmitForm("age >= 50"));
        var read = await member.Client.GetAsync($"/api/v1/submissions/{submission}");

        await AssertRefusedAsync(post, "needs a personal access token");
        await AssertRefusedAsync(read, "needs a personal access token");
        await using var scope = platform.Scope();
        Assert.Equal(1, await platform.NewDb(scope).Submissions.CountAsync(s => s.TeamId == member.Team.Id));
    }

    [Fact]
    public async Task TheTokenPage_IsForSignedInUsers_AndLinkedFromTheAccountNav()
    {
        var member = await ParticipantArrange.MemberAsync(platform, "Page Team");

        var page = await member.Client.GetStringAsync("/account/tokens");
        var manage = await member.Client.GetStringAsync("/Account/Manage");
        var anonymous = await ApiArrange.Client(platform).GetAsync("/account/tokens");

        Assert.Contains("API tokens", ParticipantArrange.Html(page).QuerySelector("h1")!.TextContent);
        Assert.NotNull(ParticipantArrange.Html(page).QuerySelector("[data-testid=create-token]"));
        Assert.Equal("account/tokens", ParticipantArrange.Html(manage).QuerySelector("[data-testid=nav-api-tokens]")!.GetAttribute("href"));
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string why)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        var problem = await ApiArrange.JsonAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains(why, problem.GetProperty("detail").GetString());
    }
}
