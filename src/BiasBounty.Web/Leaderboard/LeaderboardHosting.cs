using BiasBounty.Web.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Leaderboard;

public static class LeaderboardHosting
{
    public static IHostApplicationBuilder AddLeaderboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LeaderboardQuery>();
        if (!builder.GetPlatformRole().ServesPages()) return builder;
        builder.Services.AddOptions<LeaderboardOptions>().Bind(builder.Configuration.GetSection(LeaderboardOptions.Section));
        builder.Services.AddOutputCache(o => o.AddPolicy(LeaderboardCachePolicy.Name, new LeaderboardCachePolicy()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LeaderboardRevisions>();
        builder.Services.AddSingleton<LeaderboardChanges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderboardChanges>());
        return builder;
    }

    /// <summary>Output caching (used by the leaderboard page only) and the leaderboard's event stream.</summary>
    public static WebApplication UseLeaderboard(this WebApplication app)
    {
        if (!app.Configuration.GetPlatformRole().ServesPages()) return app;
        app.UseOutputCache();
        app.MapGet("/competitions/{slug}/leaderboard/events", LeaderboardEvents.StreamAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
