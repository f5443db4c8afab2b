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
