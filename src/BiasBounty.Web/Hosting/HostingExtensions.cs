using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Hosting;

/// <summary>What every role of the one binary shares: its options, the clock, health, proxies and error handling.</summary>
public static class HostingExtensions
{
    public static IHostApplicationBuilder AddPlatformHosting(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<PlatformOptions>(PlatformOptions.Section);
        builder.AddValidatedOptions<ProxyOptions>(ProxyOptions.Section);
        // The one clock every feature reads (tests replace it); registered here only.
        builder.Services.AddSingleton(TimeProvider.System);
        // Each feature adds its checks (AddCheck) to /healthz, those for /healthz/ready tagged HealthProbes.Ready.
        builder.Services.AddHealthChecks();
        builder.AddPlatformTelemetry();
        return builder;
    }

    /// <summary>The start of every role's pipeline: forwarded headers, the health probes and error handling.</summary>
    public static WebApplication UsePlatformHosting(this WebApplication app)
    {
        // First, so every later step (rate limits, links, logs) sees the client's address and scheme, not the proxy's.
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value is { Enabled: true } proxy)
            app.UseForwardedHeaders(proxy.ToForwardedHeadersOptions());
        app.MapHealthProbes();
        app.MapPlatformTelemetry();
        if (app.Environment.IsDevelopment()) app.UseMigrationsEndPoint();
        else app.UseExceptionHandler("/Error", createScopeForErrors: true);
        // Inside the handlers above: an outage is answered 503 here, in every environment, and never reaches them.
        app.UseDatabaseOutageResponses();
        return app;
    }
}
