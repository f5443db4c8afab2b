using Microsoft.AspNetCore.Http.Features;

namespace BiasBounty.Web.Leaderboard;

/// <summary>
/// <c>GET /competitions/{slug}/leaderboard/events</c>: a Server-Sent Events stream that sends the competition's public
/// version at once and again whenever it moves; leaderboard-live.js re-fetches the page when it differs from the
/// version the page was rendered at. Unbuffered; ends when the client leaves or the app stops.
/// </summary>
public static class LeaderboardEvents
{
    public const string EventName = "version";

    public static async Task StreamAsync(string slug, HttpContext http, LeaderboardChanges changes,
        IHostApplicationLifetime lifetime, Microsoft.Extensions.Options.IOptions<LeaderboardOptions> options)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        try
        {
            // The next-change signal is taken before each read of the version, so a change landing between the read and
            // the wait is never missed; the same signal serves every heartbeat until it fires.
            var next = changes.NextChangeAsync(ct);
            var version = await changes.VersionAsync(slug, ct);
            if (version is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache, no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync("retry: 3000\n\n", ct);
            await SendAsync(http, version, ct);
            while (true)
            {
                if (await Task.WhenAny(next, Task.Delay(options.Value.Heartbeat, ct)) != next)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }
                await next;
                next = changes.NextChangeAsync(ct);
                var current = await changes.VersionAsync(slug, ct);
                if (current is null) return; // the competition went away (back to draft): nothing more to say
                if (current != version) await SendAsync(http, version = current, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client left or the app is stopping: the stream simply ends
        }
    }

    private static async Task SendAsync(HttpContext http, string version, CancellationToken ct)
    {
        await http.Response.WriteAsync($"event: {EventName}\ndata: {version}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
