using BiasBounty.Web.Accounts;
using BiasBounty.Web.Api;
using BiasBounty.Web.Components.Account;
using BiasBounty.Web.Hosting;
using Microsoft.AspNetCore.Components.Authorization;

namespace BiasBounty.Web.Components;

/// <summary>The web UI: Razor components (static SSR by default, interactive server where a page asks for it).</summary>
public static class ComponentsExtensions
{
    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        if (!builder.GetPlatformRole().ServesPages()) return builder;
        // Build output (deploy/run.sh) keeps the framework's script and the scoped CSS outside wwwroot, listed in a
        // manifest that ASP.NET Core reads by itself in Development only; in Production they would be missing. A
        // published app has no such manifest, and this does nothing.
        if (builder is WebApplicationBuilder web) web.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // The account pages (Components/Account): who is signed in, re-checked on long-lived circuits.
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<IdentityRedirectManager>();
        builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        return builder;
    }

    /// <summary>The page-serving pipeline; a worker serves no pages and gets none of it.</summary>
    public static WebApplication UseWebUi(this WebApplication app)
    {
        if (!app.Configuration.GetPlatformRole().ServesPages()) return app;
        app.UseMalformedAddressGuard();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        // Explicit order: the API's token check and rate limit sit between routing and the cookie-based authentication.
        app.UseRouting();
        app.UseApiGate();
        app.UseAuthentication();
        app.UseFirstSignInPasswordChange();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>The endpoints the account pages post to (log out, passkeys, external logins), on page-serving roles.</summary>
    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        if (app.Configuration.GetPlatformRole().ServesPages()) app.MapAdditionalIdentityEndpoints();
        return app;
    }
}
