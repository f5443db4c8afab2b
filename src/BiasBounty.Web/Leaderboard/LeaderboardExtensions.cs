using BiasBounty.Web.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Leaderboard;

public static class LeaderboardExtensions
{
    public static IHostApplicationBuilder AddLeaderboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LeaderboardQuery>();
        if (!builder.GetPlatformRole().ServesPages()) return builder;
        builder.AddValidatedOptions<LeaderboardOptions>(LeaderboardOptions.Section);
        builder.Services.AddResponseCompression(); // brotli and gzip at their fastest levels; text/event-stream is not compressed
        builder.Services.AddOutputCache(o => o.AddPolicy(LeaderboardCachePolicy.Name, new LeaderboardCachePolicy()));
        builder.Services.AddSingleton<LeaderboardChanges>();
        builder.Services.AddSingleton<LeaderboardMetrics>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderboardChanges>());
        return builder;
    }

    /// <summary>Output caching (used by the leaderboard page only) and the leaderboard's event stream.</summary>
    public static WebApplication UseLeaderboard(this WebApplication app)
    {
        if (!app.Configuration.GetPlatformRole().ServesPages()) return app;
        app.UseOutputCache();
        // Compressed inside the cache, so that a hit costs no compression: the anonymous leaderboard page only. A
        // signed-in page carries the logout form's antiforgery token beside the reflected search text, and compressing
        // a secret next to attacker-chosen input is what BREACH exploits.
        app.UseWhen(IsLeaderboardPage, branch => branch.UseResponseCompression());
        app.MapGet("/competitions/{slug}/leaderboard/events", LeaderboardEvents.StreamAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static bool IsLeaderboardPage(HttpContext http) =>
        http.User.Identity?.IsAuthenticated != true && http.Request.Path.StartsWithSegments("/competitions", out var rest) && rest.Value is { } tail
        && tail.EndsWith("/leaderboard", StringComparison.Ordinal) && tail.Count(c => c == '/') == 2;
}
