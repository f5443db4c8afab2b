using System.Net.Sockets;
using Npgsql;

namespace BiasBounty.Web.Hosting;

/// <summary>
/// Requests that fail because PostgreSQL cannot be reached (down, restarting, refusing connections, the pool exhausted)
/// are answered 503 with <c>Retry-After</c>: the API with a ProblemDetails, pages with a short "temporarily unavailable"
/// page written here (not rendered through the app's layout, which would need the database again). Neither names the
/// database's host, port or connection string, nor shows a stack trace; the log gets the cause.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>What <c>Retry-After</c> tells clients: about how long a restart of PostgreSQL takes.</summary>
    public const int RetryAfterSeconds = 30;

    public const string Title = "Temporarily unavailable";

    public const string Detail = "BiasBounty cannot reach its database at the moment. Please try again in a minute.";

    /// <summary>
    /// SQLSTATEs that mean the server is going away or not taking connections: admin_shutdown, crash_shutdown,
    /// cannot_connect_now, too_many_connections, and the connection_exception class (08…).
    /// </summary>
    private static readonly HashSet<string> UnavailableStates =
        [PostgresErrorCodes.AdminShutdown, PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow, PostgresErrorCodes.TooManyConnections];

    /// <summary>
    /// True when the exception, or one it wraps (EF's retry limit, EF's "transient failure" InvalidOperationException,
    /// an AggregateException), says the database is unreachable rather than that a statement was wrong.
    /// </summary>
    public static bool IsOutage(Exception exception) => Cause(exception) is not null;

    /// <summary>The exception in the chain that shows the outage, or null.</summary>
    public static Exception? Cause(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        for (var seen = 0; pending.Count > 0 && seen < 32; seen++)
        {
            var e = pending.Pop();
            if (ShowsOutage(e)) return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            else if (e.InnerException is { } cause) pending.Push(cause);
        }
        return null;
    }

    private static bool ShowsOutage(Exception e) => e switch
    {
        PostgresException postgres => UnavailableStates.Contains(postgres.SqlState) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        // Npgsql's own errors (not the server's): a refused or broken socket, a connect timeout, the pool exhausted.
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        _ => false,
    };

    /// <summary>
    /// Answers requests that fail with a database outage (<see cref="IsOutage"/>), in every environment, before the
    /// developer page or the <c>/Error</c> page see them. A response already under way is left to fail as it would.
    /// </summary>
    public static IApplicationBuilder UseDatabaseOutageResponses(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (Cause(e) is { } cause && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseOutage).FullName!);
            log.LogWarning("The database is unavailable: {Method} {Path} answered 503 ({Cause}: {Message})",
                context.Request.Method, context.Request.Path, cause.GetType().Name, cause.Message);
            await WriteAsync(context);
        }
    });

    private static async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(Detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: Title).ExecuteAsync(context);
            return;
        }
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(Page);
    }

    /// <summary>Self-contained (no stylesheet, script or database): whatever else is down, this page is not.</summary>
    private static readonly string Page = $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1.0" />
        <meta http-equiv="refresh" content="{{RetryAfterSeconds}}" />
        <title>Temporarily unavailable · BiasBounty</title>
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}h1{font-size:1.5rem}</style>
        </head>
        <body>
        <h1>BiasBounty is temporarily unavailable</h1>
        <p>{{Detail}}</p>
        <p>This page reloads itself in {{RetryAfterSeconds}} seconds. Submissions made before are kept and will be scored once the database is back; if you were just sending something, check afterwards that it arrived.</p>
        <p><a href="/">Home</a></p>
        </body>
        </html>
        """;
}
