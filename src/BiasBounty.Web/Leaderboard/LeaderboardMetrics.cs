using System.Diagnostics.Metrics;
using BiasBounty.Web.Hosting;

namespace BiasBounty.Web.Leaderboard;

/// <summary>How often the anonymous leaderboard page is served from the output cache (tag <c>result</c>: hit or miss).</summary>
public sealed class LeaderboardMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _cache = meters.Create(TelemetryExtensions.PlatformMeter)
        .CreateCounter<long>("biasbounty.leaderboard.cache", description: "Anonymous leaderboard requests served from the cache (hit) or rendered (miss)");

    public void Hit() => _cache.Add(1, new KeyValuePair<string, object?>("result", "hit"));

    public void Miss() => _cache.Add(1, new KeyValuePair<string, object?>("result", "miss"));
}
