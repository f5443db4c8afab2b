using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BiasBounty.Web.Hosting;

/// <summary>
/// The health endpoints the scripts and manifests probe: <c>/healthz/live</c> (the process answers; restart it if not),
/// <c>/healthz/ready</c> (the checks tagged <see cref="Ready"/>: database, migrations, job storage and, on a role that
/// runs jobs, its Hangfire heartbeat; send it no traffic if not), and <c>/healthz</c> (every check, as before).
/// </summary>
public static class HealthProbes
{
    /// <summary>The tag of the checks <c>/healthz/ready</c> runs.</summary>
    public const string Ready = "ready";

    public const string LivePath = "/healthz/live";

    public const string ReadyPath = "/healthz/ready";

    public static WebApplication MapHealthProbes(this WebApplication app)
    {
        // Unhealthy (503) while a registered check fails: the database (Persistence) and the job storage (Worker).
        app.MapHealthChecks("/healthz");
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteChecksAsync });
        return app;
    }

    /// <summary>The status and each check's status and description (descriptions name no host, port or connection string).</summary>
    private static Task WriteChecksAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }
}
