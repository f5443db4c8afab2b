using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace BiasBounty.Web.Hosting;

/// <summary>
/// Section <c>BiasBounty:Proxy</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
/// trusted. Without any, the connection's own address is the client's — behind a proxy every caller would then share
/// the proxy's address (one API rate-limit bucket for all anonymous callers). Headers from anyone else are ignored, so
/// a client cannot pick its own address.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "BiasBounty:Proxy";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool Enabled => KnownProxies.Length + KnownNetworks.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"{Section}:{nameof(KnownProxies)}: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"{Section}:{nameof(KnownNetworks)}: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/8).", [nameof(KnownNetworks)]);
    }

    /// <summary>
    /// The middleware's options: exactly the configured proxies (not its loopback defaults), any number of hops. The
    /// middleware reads <c>X-Forwarded-For</c> from the right and stops at the first address that is not a listed proxy,
    /// so a chain (CDN, then ingress) works when every hop is listed, and a client's own entry is never trusted further.
    /// </summary>
    public ForwardedHeadersOptions ToForwardedHeadersOptions()
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null, // bounded by the trust lists, which are never empty here
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies) options.KnownProxies.Add(IPAddress.Parse(proxy));
        foreach (var network in KnownNetworks) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        return options;
    }
}
