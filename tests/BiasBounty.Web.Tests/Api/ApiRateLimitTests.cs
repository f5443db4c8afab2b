using System.Net;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace BiasBounty.Web.Tests.Api;

/// <summary>The API in the <c>web</c> role (no job server) with a rate limit low enough to reach.</summary>
public sealed class RateLimitedWebPlatform : PlatformFactory
{
    public const int RequestsPerMinute = 3;

    public override string Role => "web";

    public override bool Demo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("BiasBounty:Api:RequestsPerMinute", RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class ApiRateLimitTests(RateLimitedWebPlatform platform) : IClassFixture<RateLimitedWebPlatform>
{
    [Fact]
    public async Task ATokenOverItsRequestsPerMinute_Gets429_WithRetryAfter_WhileAnotherTokenIsServed()
    {
        var (_, busy) = await ApiArrange.UserWithTokenAsync(platform, "Busy Script");
        var (_, calm) = await ApiArrange.UserWithTokenAsync(platform, "Calm Script");
        var client = ApiArrange.Client(platform, busy);

        for (var i = 0; i < RateLimitedWebPlatform.RequestsPerMinute; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/competitions")).StatusCode); // served in the web role
        var refused = await client.GetAsync("/api/v1/competitions");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Contains("too many API calls", (await ApiArrange.JsonAsync(refused)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await ApiArrange.Client(platform, calm).GetAsync("/api/v1/competitions")).StatusCode);
    }

    [Fact]
    public async Task InTheWebRole_AnUnknownCompetitionIsAProblemDetails404()
    {
        var response = await ApiArrange.Client(platform).GetAsync("/api/v1/competitions/none");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType); // the API's answer, not the HTML page
    }
}

/// <summary>Calls without a checked token share their address's allowance (a fixture of its own: the address bucket is shared).</summary>
public sealed class ApiAddressRateLimitTests(RateLimitedWebPlatform platform) : IClassFixture<RateLimitedWebPlatform>
{
    [Fact]
    public async Task MadeUpOrBorrowedPrefixes_CountAgainstTheAddress_NotAsFreshTokens_NorAgainstTheOwner()
    {
        var (_, owner) = await ApiArrange.UserWithTokenAsync(platform, "Prefix Owner");
        var borrowed = owner[..^1] + (owner[^1] == '0' ? '1' : '0'); // the owner's public prefix with a wrong secret

        for (var i = 0; i < RateLimitedWebPlatform.RequestsPerMinute; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await ApiArrange.Client(platform, i == 0 ? borrowed : FakeToken()).GetAsync("/api/v1/competitions")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ApiArrange.Client(platform, FakeToken()).GetAsync("/api/v1/competitions")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ApiArrange.Client(platform).GetAsync("/api/v1/competitions")).StatusCode);

        var ownerClient = ApiArrange.Client(platform, owner);
        for (var i = 0; i < RateLimitedWebPlatform.RequestsPerMinute; i++)
            Assert.Equal(HttpStatusCode.OK, (await ownerClient.GetAsync("/api/v1/competitions")).StatusCode);
    }

    /// <summary>A well-formed token that was never issued, with a fresh prefix each time.</summary>
    private static string FakeToken() =>
        $"bb_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}";
}
