using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Net.Http.Headers;

namespace BiasBounty.Web.Leaderboard;

/// <summary>
/// Output caching of the public leaderboard for anonymous GETs: varied by the query string, the accepted encodings and
/// the competition's public version as <see cref="LeaderboardChanges"/> last read it (in memory: a hit costs no
/// database round trip, so an anonymous page may lag a change by one poll interval), and tagged per competition so
/// that <see cref="LeaderboardChanges"/> evicts the stale entries when the version moves. A competition it does not
/// know yet (just created) is not cached. Signed-in users always get a fresh render (their navigation differs).
/// </summary>
public sealed class LeaderboardCachePolicy : IOutputCachePolicy
{
    public const string Name = "PublicLeaderboard";

    async ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var anonymousGet = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && http.User.Identity?.IsAuthenticated != true && string.IsNullOrEmpty(request.Headers.Authorization);
        var slug = request.RouteValues["slug"] as string;
        var version = anonymousGet && slug is not null
            ? await http.RequestServices.GetRequiredService<LeaderboardChanges>().VersionAsync(slug, ct)
            : null;
        if (version is null)
        {
            context.EnableOutputCaching = false;
            return;
        }
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true;
        context.CacheVaryByRules.QueryKeys = "*"; // junk parameters mint entries, but the cache's size limit bounds them
        context.CacheVaryByRules.HeaderNames = HeaderNames.AcceptEncoding; // the cache holds the compressed bodies
        context.CacheVaryByRules.VaryByValues["version"] = version;
        context.Tags.Add(LeaderboardChanges.CacheTag(slug!));
        context.ResponseExpirationTimeSpan = TimeSpan.FromMinutes(10);
        http.Response.OnStarting(DropAntiforgeryCookie, http.Response);
    }

    /// <summary>
    /// Blazor persists an antiforgery token on every static page of an app with interactive pages, which sets the
    /// antiforgery cookie. This page posts nothing, so an anonymous visitor needs no such cookie: dropping it lets the
    /// response be shared. Any other cookie still prevents caching.
    /// </summary>
    private static Task DropAntiforgeryCookie(object state)
    {
        var response = (HttpResponse)state;
        var cookies = response.Headers.SetCookie;
        if (cookies.Count > 0 && cookies.All(c => c is not null && c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal)))
            response.Headers.Remove("Set-Cookie");
        return Task.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct)
    {
        context.HttpContext.RequestServices.GetRequiredService<LeaderboardMetrics>().Hit();
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken ct)
    {
        var response = context.HttpContext.Response;
        context.HttpContext.RequestServices.GetRequiredService<LeaderboardMetrics>().Miss();
        // Only a plain 200 is shared: never a 404, an error page, or anything setting a cookie.
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}
