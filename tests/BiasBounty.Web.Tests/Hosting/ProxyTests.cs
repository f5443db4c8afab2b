using System.ComponentModel.DataAnnotations;
using System.Net;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace BiasBounty.Web.Tests.Hosting;

/// <summary>Behind a trusted proxy, with a rate limit low enough to reach.</summary>
public sealed class ProxiedWebPlatform : PlatformFactory
{
    public const int RequestsPerMinute = 3;
    public static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.5");

    public override string Role => "web";

    public override bool Demo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("BiasBounty:Api:RequestsPerMinute", RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("BiasBounty:Proxy:KnownProxies:0", Proxy.ToString());
    }
}

public sealed class ProxyTests(ProxiedWebPlatform platform) : IClassFixture<ProxiedWebPlatform>
{
    private async Task<int> CallAsync(IPAddress from, string? forwardedFor)
    {
        var context = await platform.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/api/v1/competitions";
            c.Connection.RemoteIpAddress = from;
            if (forwardedFor is not null) c.Request.Headers["X-Forwarded-For"] = forwardedFor;
        });
        return context.Response.StatusCode;
    }

    [Fact]
    public async Task ClientsBehindATrustedProxy_HaveTheirOwnAllowance_AndNobodyElseCanClaimAnAddress()
    {
        var (a, b) = ("198.51.100.1", "198.51.100.2");
        var untrusted = IPAddress.Parse("10.0.0.9");

        for (var i = 0; i < ProxiedWebPlatform.RequestsPerMinute; i++)
            Assert.Equal(StatusCodes.Status200OK, await CallAsync(ProxiedWebPlatform.Proxy, a));
        Assert.Equal(StatusCodes.Status429TooManyRequests, await CallAsync(ProxiedWebPlatform.Proxy, a));
        Assert.Equal(StatusCodes.Status200OK, await CallAsync(ProxiedWebPlatform.Proxy, b)); // another client of the same proxy

        // A sender that is not the proxy cannot spend (or borrow) b's allowance by naming b's address: it counts as itself.
        for (var i = 0; i < ProxiedWebPlatform.RequestsPerMinute; i++)
            Assert.Equal(StatusCodes.Status200OK, await CallAsync(untrusted, b));
        Assert.Equal(StatusCodes.Status429TooManyRequests, await CallAsync(untrusted, b));
        Assert.Equal(StatusCodes.Status200OK, await CallAsync(ProxiedWebPlatform.Proxy, b));
        Assert.Equal(StatusCodes.Status200OK, await CallAsync(ProxiedWebPlatform.Proxy, b));
        Assert.Equal(StatusCodes.Status429TooManyRequests, await CallAsync(ProxiedWebPlatform.Proxy, b));
    }

    [Theory]
    [InlineData("KnownProxies", "not-an-ip", "'not-an-ip' is not an IP address")]
    [InlineData("KnownNetworks", "10.0.0.0/99", "'10.0.0.0/99' is not a network in CIDR notation")]
    public void AMistypedProxySetting_IsRefusedAtStartUp_WithWhatAndWhere(string setting, string value, string message)
    {
        var options = setting == "KnownProxies" ? new ProxyOptions { KnownProxies = [value] } : new ProxyOptions { KnownNetworks = [value] };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains($"BiasBounty:Proxy:{setting}: {message}", Assert.Single(results).ErrorMessage);
    }
}
