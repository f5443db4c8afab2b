using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>
/// The whole platform (role <c>all</c>: pages, a real Hangfire server, the demo competition seeded) on a fresh database
/// of the real PostgreSQL of <c>BIASBOUNTY_TEST_DB</c>, served by Kestrel on a free loopback port so that a browser
/// can reach it.
/// </summary>
public sealed class KestrelPlatform : PlatformFactory
{
    public KestrelPlatform() => UseKestrel(0);

    protected override void StartHost() => StartServer();

    /// <summary>The address Kestrel listens on, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public Uri BaseAddress
    {
        get
        {
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                ?? throw new InvalidOperationException("Kestrel reports no address");
            var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"Kestrel listens on no http address: {string.Join(", ", addresses)}");
            // Kestrel reports "http://[::]:port" or "http://localhost:port" for wildcard bindings; the browser wants loopback.
            var uri = new Uri(address);
            return new UriBuilder(uri) { Host = "127.0.0.1" }.Uri;
        }
    }
}
