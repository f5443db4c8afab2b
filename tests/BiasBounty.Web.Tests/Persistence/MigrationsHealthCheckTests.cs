using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace BiasBounty.Web.Tests.Persistence;

public sealed class MigrationsHealthCheckTests : IAsyncLifetime
{
    private readonly string _admin = Environment.GetEnvironmentVariable(PlatformFactory.EnvironmentVariable)
        ?? throw new InvalidOperationException($"{PlatformFactory.EnvironmentVariable} is not set (run deploy/test.sh)");
    private readonly string _database = "bbmig_" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync() => await AdminAsync($"CREATE DATABASE \"{_database}\"");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
    }

    [Fact]
    public async Task Check_IsUnhealthy_OnAnUnmigratedDatabase_AndHealthyOnceMigrated()
    {
        var connection = new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;
        await using var db = new ApplicationDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseNpgsql(connection, npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", "public"))
            // Outside the app, Identity's options (key lengths) are not in the model, so it differs from the snapshot.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)).Options);
        var memory = new MigrationsHealthCheck.Memory();
        var check = new MigrationsHealthCheck(db, memory);
        var known = db.Database.GetMigrations().Count();

        var before = await check.CheckHealthAsync(new HealthCheckContext());
        await db.Database.MigrateAsync();
        var after = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal($"{known} database migration(s) of this build are not applied yet", before.Description);
        Assert.Equal(HealthStatus.Healthy, after.Status);
        Assert.True(memory.AllApplied);
    }

    private async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(_admin);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
