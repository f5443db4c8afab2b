using System.ComponentModel.DataAnnotations;
using BiasBounty.Web.Hosting;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Persistence;

/// <summary>Section <c>ConnectionStrings</c>: the one PostgreSQL database of the platform (EF Core and Hangfire).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "ConnectionStrings";

    [Required(ErrorMessage = "ConnectionStrings:BiasBounty is not set; give the platform a PostgreSQL connection string (deploy/run.sh does)")]
    public string? BiasBounty { get; set; }
}

public static class PersistenceExtensions
{
    /// <summary>How long a health check may wait for PostgreSQL before <c>/healthz</c> says Unhealthy.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    public static IHostApplicationBuilder AddPersistence(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);
        builder.Services.AddDbContext<ApplicationDbContext>(options =>
            options.UseNpgsql(builder.Configuration.GetConnectionString("BiasBounty"),
                npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", "public")));
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();
        builder.Services.AddSingleton<MigrationsHealthCheck.Memory>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [HealthProbes.Ready], timeout: HealthCheckTimeout)
            .AddCheck<MigrationsHealthCheck>(MigrationsHealthCheck.Name, tags: [HealthProbes.Ready], timeout: HealthCheckTimeout);
        return builder;
    }

    /// <summary>
    /// Applies migrations, then runs each start-up step (roles, demo data) in order, under one advisory lock so that a
    /// web and a worker process starting together do not seed twice.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app, CancellationToken ct = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        await db.Database.MigrateAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended('biasbounty:startup', 0))", ct);
        foreach (var step in scope.ServiceProvider.GetServices<IStartupStep>())
            await step.RunAsync(ct);
        await tx.CommitAsync(ct);
    }
}
