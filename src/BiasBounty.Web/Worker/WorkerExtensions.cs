using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Worker;

public static class WorkerExtensions
{
    /// <summary>
    /// Hangfire on the platform's PostgreSQL (schema <c>hangfire</c>). Every role can enqueue; only the worker roles
    /// run a job server.
    /// </summary>
    public static IHostApplicationBuilder AddScoringWorker(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ScoringWorkerOptions>(ScoringWorkerOptions.Section);
        var services = builder.Services;
        services.AddMemoryCache();
        services.AddSingleton<CompetitionRuntimeCache>();
        services.TryAddSingleton<PublicDataCache>();
        services.AddScoped<ScoreSubmissionJob>();
        services.AddScoped<RetestFindingsJob>();
        services.AddSingleton<ScoringMetrics>();
        // Created with the meter provider, so the queue-depth gauge exists before the first job runs (and on the web role).
        services.ConfigureOpenTelemetryMeterProvider((provider, _) => provider.GetRequiredService<ScoringMetrics>());
        services.AddScoped<IScoringQueue, HangfireScoringQueue>();
        var health = services.AddHealthChecks()
            .AddCheck<JobStorageHealthCheck>(JobStorageHealthCheck.Name, tags: [HealthProbes.Ready], timeout: PersistenceExtensions.HealthCheckTimeout);
        if (builder.GetPlatformRole().RunsJobs())
            health.AddCheck<WorkerHeartbeatHealthCheck>(WorkerHeartbeatHealthCheck.Name, tags: [HealthProbes.Ready], timeout: PersistenceExtensions.HealthCheckTimeout);
        services.AddRecurringJob<StalledSubmissionSweep>(StalledSubmissionSweep.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            provider => provider.GetRequiredService<IOptions<ScoringWorkerOptions>>().Value.StalledSweepSchedule);

        WithoutUnusedJobFilters();
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                postgres => postgres.UseNpgsqlConnection(builder.Configuration.GetConnectionString("BiasBounty")),
                StorageOptions(provider.GetRequiredService<IOptions<ScoringWorkerOptions>>().Value)));

        if (builder.GetPlatformRole().RunsJobs())
        {
            services.AddHangfireServer((provider, server) =>
            {
                server.WorkerCount = provider.GetRequiredService<IOptions<ScoringWorkerOptions>>().Value.WorkerCount;
                server.ServerName = WorkerHeartbeatHealthCheck.ServerName;
            });
            services.AddSingleton<AbandonedJobs>();
            services.AddHostedService(provider => provider.GetRequiredService<AbandonedJobs>());
        }
        return builder;
    }

    /// <summary>
    /// Removes Hangfire's global filters this platform does not use, each a few database round trips per job on
    /// PostgreSQL: the captured culture (two parameters written at enqueue and read back before the job runs; jobs
    /// format nothing culture-dependent), continuations (a parameter read at every completion; no job continues
    /// another) and the dashboard's per-day statistics history (two counters per job; the totals stay). Automatic
    /// retry stays: the jobs' retry policies are its attributes. The collection is process-wide, so this is idempotent.
    /// </summary>
    public static void WithoutUnusedJobFilters()
    {
        GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
        GlobalJobFilters.Filters.Remove<ContinuationsSupportAttribute>();
        GlobalJobFilters.Filters.Remove<StatisticsHistoryAttribute>();
    }

    /// <summary>
    /// The job storage's settings. A job fetched by a worker that then died is fetched again after
    /// <see cref="ScoringWorkerOptions.InvisibilityTimeout"/> (Hangfire.PostgreSql's default is 30 minutes, during which
    /// the job would sit in Processing); the sliding timeout keeps a live worker's long job its own.
    /// </summary>
    public static PostgreSqlStorageOptions StorageOptions(ScoringWorkerOptions worker) => new()
    {
        SchemaName = HangfireSchema,
        PrepareSchemaIfNecessary = true,
        QueuePollInterval = worker.QueuePollInterval,
        EnableLongPolling = true,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = worker.InvisibilityTimeout,
    };

    /// <summary>The PostgreSQL schema of Hangfire's tables.</summary>
    public const string HangfireSchema = "hangfire";

    /// <summary>The Hangfire dashboard at <c>/hangfire</c>, for organizers and admins.</summary>
    public static WebApplication MapScoringDashboard(this WebApplication app)
    {
        if (!app.Configuration.GetPlatformRole().ServesPages()) return app;
        app.MapHangfireDashboardWithAuthorizationPolicy(Roles.StaffPolicy, "/hangfire", new DashboardOptions { DisplayStorageConnectionString = false });
        // The dashboard's pages POST their statistics form to /hangfire/stats; any other method reached the dashboard's
        // form reader and failed with a 500 ("Incorrect Content-Type"). Say what the address is for instead.
        app.MapMethods("/hangfire/stats", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch], (HttpContext http) =>
        {
            http.Response.Headers.Allow = HttpMethods.Post;
            return Results.Text("/hangfire/stats is read by the dashboard's own pages with a POST; open /hangfire instead.\n",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status405MethodNotAllowed);
        }).RequireAuthorization(Roles.StaffPolicy);
        return app;
    }
}
