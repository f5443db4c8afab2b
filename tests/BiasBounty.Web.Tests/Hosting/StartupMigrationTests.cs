using BiasBounty.Web.Accounts;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BiasBounty.Web.Tests.Hosting;

public sealed class StartupMigrationTests
{
    [Fact]
    public async Task PrepareDatabase_InProcessesStartingTogetherOnAnEmptyDatabase_MigratesOnceAndStartsThemAll()
    {
        // A web and its workers deployed together all migrate at start-up (deploy/docker/compose.yaml, deploy/k8s).
        var admin = Environment.GetEnvironmentVariable(PlatformFactory.EnvironmentVariable)
            ?? throw new InvalidOperationException($"{PlatformFactory.EnvironmentVariable} is not set");
        var database = "bbtest_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection).ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        var apps = Enumerable.Range(0, 4).Select(_ => NewApp(connectionString)).ToList();
        try
        {
            await Task.WhenAll(apps.Select(app => Task.Run(() => app.PrepareDatabaseAsync())));

            await using var scope = apps[0].Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }
        finally
        {
            foreach (var app in apps) await app.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection).ExecuteNonQueryAsync();
        }
    }

    private static WebApplication NewApp(string connectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration["ConnectionStrings:BiasBounty"] = connectionString;
        builder.AddPersistence();
        builder.AddIdentityServices(); // its options shape the Identity tables of the model
        return builder.Build();
    }
}
