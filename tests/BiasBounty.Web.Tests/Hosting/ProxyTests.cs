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
        builder.UseSetting("BiasBounty:Proxy:KnownNetworks:0", "192.0.2.0/24"); // a CDN in front of the proxy
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

    [Fact]
    public async Task ThroughAChainOfListedProxies_TheClientIsTheFirstUnlistedAddress_AndAForgedEntryBeforeItIsIgnored()
    {
        // client 203.0.113.7 -> CDN 192.0.2.10 -> proxy 10.0.0.5 -> app; the client had put a forged address in front.
        const string chain = "198.51.100.99, 203.0.113.7, 192.0.2.10";
        for (var i = 0; i < ProxiedWebPlatform.RequestsPerMinute; i++)
            Assert.Equal(StatusCodes.Status200OK, await CallAsync(ProxiedWebPlatform.Proxy, chain));
        Assert.Equal(StatusCodes.Status429TooManyRequests, await CallAsync(ProxiedWebPlatform.Proxy, chain));
        Assert.Equal(StatusCodes.Status200OK, await CallAsync(ProxiedWebPlatform.Proxy, "198.51.100.99")); // the forged address was never charged
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void AnonymousCallers_AreCountedPerIPv4Address_OrPerIPv6Slash64(string address, string partition)
    {
        Assert.Equal(partition, BiasBounty.Web.Api.ApiExtensions.AddressPartition(IPAddress.Parse(address)));
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
