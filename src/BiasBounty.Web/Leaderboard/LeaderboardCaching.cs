using Microsoft.AspNetCore.OutputCaching;
using Npgsql;

namespace BiasBounty.Web.Leaderboard;

/// <summary>
/// Output caching of the public leaderboard for anonymous GETs: varied by the query string and by the competition's
/// current revision (read per request, one indexed row, so a page is never served older than the database), tagged
/// per competition so that <see cref="LeaderboardChanges"/> evicts the stale entries. Signed-in users always get a
/// fresh render (their navigation differs, and nothing personal may be cached).
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
        var revision = anonymousGet && slug is not null
            ? await http.RequestServices.GetRequiredService<LeaderboardRevisions>().RevisionAsync(slug, ct)
            : null;
        if (revision is null)
        {
            context.EnableOutputCaching = false;
            return;
        }
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true;
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.VaryByValues["revision"] = revision.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
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

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken ct)
    {
        var response = context.HttpContext.Response;
        // Only a plain 200 is shared: never a 404, an error page, or anything setting a cookie.
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A competition's revision by slug, straight from PostgreSQL (no DbContext): the cache key of every anonymous hit.</summary>
public sealed class LeaderboardRevisions(IConfiguration configuration) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(configuration.GetConnectionString("BiasBounty")!);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public async Task<long?> RevisionAsync(string slug, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("""SELECT "Revision" FROM "Competitions" WHERE "Slug" = $1""");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = slug });
        return await command.ExecuteScalarAsync(ct) is long revision ? revision : null;
    }
}
