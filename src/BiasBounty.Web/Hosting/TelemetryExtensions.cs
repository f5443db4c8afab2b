using BiasBounty.Scoring.Engine;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BiasBounty.Web.Hosting;

/// <summary>
/// OpenTelemetry on every role: traces of requests, of PostgreSQL commands (Npgsql, which carries EF Core's queries)
/// and of each scoring job with a span per stage (<see cref="ScoringStages"/>); metrics of the same plus the platform's
/// own (<see cref="PlatformMeter"/>: queue depth, verdicts by outcome, leaderboard cache hits), the runtime and
/// ASP.NET Core. Prometheus scrapes <see cref="TelemetryOptions.PrometheusPath"/>; an OTLP collector gets both when
/// <see cref="TelemetryOptions.OtlpEndpoint"/> is set. Span and metric tags never carry holdout data.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The meter of the platform's own instruments (each feature creates its instruments on it).</summary>
    public const string PlatformMeter = "BiasBounty.Platform";

    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.Section);
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var role = builder.GetPlatformRole();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(options.ServiceName, serviceInstanceId: WorkerInstance())
                .AddAttributes([new("biasbounty.role", role.ToString().ToLowerInvariant())]))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http, options))
                    .AddNpgsql()
                    .AddSource(ScoringStages.Name);
                if (options.OtlpEndpoint is { Length: > 0 } endpoint) tracing.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(ScoringStages.Name, PlatformMeter)
                    // Stage durations run from milliseconds (a mask) to a minute (a slow fix's predictions).
                    .AddView(ScoringStages.StageDuration.Name, new ExplicitBucketHistogramConfiguration
                    {
                        Boundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
                    });
                if (options.Prometheus) metrics.AddPrometheusExporter();
                if (options.OtlpEndpoint is { Length: > 0 } endpoint) metrics.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
            });
        return builder;
    }

    /// <summary>The Prometheus scrape endpoint, on every role (a worker serves it beside its health probes).</summary>
    public static WebApplication MapPlatformTelemetry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (options.Prometheus) app.MapPrometheusScrapingEndpoint(options.PrometheusPath);
        return app;
    }

    /// <summary>Probes and scrapes every few seconds would drown the traces that matter.</summary>
    private static bool IsProbe(HttpContext http, TelemetryOptions options) =>
        http.Request.Path.StartsWithSegments("/healthz") || http.Request.Path.StartsWithSegments(options.PrometheusPath);

    private static string WorkerInstance() => $"{Environment.MachineName}:{Environment.ProcessId}";
}
