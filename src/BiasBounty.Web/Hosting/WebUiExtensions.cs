using BiasBounty.Web.Api;
using BiasBounty.Web.Components;
using BiasBounty.Web.Scoring;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Hosting;

public static class WebUiExtensions
{
    /// <summary>Razor components (static SSR by default, interactive server where a page asks for it).</summary>
    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<PlatformOptions>(PlatformOptions.Section);
        builder.AddValidatedOptions<ProxyOptions>(ProxyOptions.Section);
        if (builder.GetPlatformRole().ServesPages())
            builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>The request pipeline. A worker answers only <c>/healthz</c>: it serves no pages.</summary>
    public static WebApplication UseWebUi(this WebApplication app)
    {
        // First, so every later step (rate limits, links, logs) sees the client's address and scheme, not the proxy's.
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value is { Enabled: true } proxy)
            app.UseForwardedHeaders(proxy.ToForwardedHeadersOptions());
        app.MapHealthChecks("/healthz");
        if (app.Environment.IsDevelopment()) app.UseMigrationsEndPoint();
        else app.UseExceptionHandler("/Error", createScopeForErrors: true);
        if (!app.Configuration.GetPlatformRole().ServesPages()) return app;

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        // Explicit order: the API's token check and rate limit sit between routing and the cookie-based authentication.
        app.UseRouting();
        app.UseApiGate();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapScoringDashboard();
        return app;
    }
}
