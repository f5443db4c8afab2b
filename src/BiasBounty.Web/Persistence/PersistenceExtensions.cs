using System.ComponentModel.DataAnnotations;
using BiasBounty.Web.Hosting;
using Microsoft.AspNetCore.DataProtection;
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
    /// <summary>Isolates the key ring's purposes from other apps: every BiasBounty process must use the same name.</summary>
    public const string DataProtectionApplicationName = "BiasBounty";

    /// <summary>How long a health check may wait for PostgreSQL before <c>/healthz</c> says Unhealthy.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    public static IHostApplicationBuilder AddPersistence(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);
        builder.Services.AddDbContext<ApplicationDbContext>(options =>
            options.UseNpgsql(builder.Configuration.GetConnectionString("BiasBounty"),
                npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", "public")));
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();
        // One key ring in the database: every web process reads the others' cookies and tokens, and a restart or a new
        // process does not sign everyone out or invalidate links already e-mailed (keys in a folder would do both).
        builder.Services.AddDataProtection().PersistKeysToDbContext<ApplicationDbContext>().SetApplicationName(DataProtectionApplicationName);
        builder.Services.AddSingleton<MigrationsHealthCheck.Memory>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [HealthProbes.Ready], timeout: HealthCheckTimeout)
            .AddCheck<MigrationsHealthCheck>(MigrationsHealthCheck.Name, tags: [HealthProbes.Ready], timeout: HealthCheckTimeout);
        return builder;
    }

    /// <summary>
    /// Applies migrations, then runs each start-up step (roles, demo data) in order, each under an advisory lock so that
    /// a web and its workers starting together neither migrate nor seed twice.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app, CancellationToken ct = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        await MigrateOneAtATimeAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended('biasbounty:startup', 0))", ct);
        foreach (var step in scope.ServiceProvider.GetServices<IStartupStep>())
            await step.RunAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Migrates under a session advisory lock held on the context's connection. EF's own migration lock is not enough:
    /// processes starting together on an empty database applied the same migration twice, and all but one stopped
    /// ("column already exists"). The lock cannot be a transaction's, as EF refuses to migrate inside one.
    /// </summary>
    private static async Task MigrateOneAtATimeAsync(ApplicationDbContext db, CancellationToken ct)
    {
        const string key = "biasbounty:migrate";
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock(hashtextextended({key}, 0))", ct);
            await db.Database.MigrateAsync(ct);
        }
        finally
        {
            // Closing alone would not release it in time: a pooled connection is reset only when it is next used.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtextextended({key}, 0))", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }
}
