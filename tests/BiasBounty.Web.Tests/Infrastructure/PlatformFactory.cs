using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Hangfire keeps its configuration in statics (JobStorage.Current), so hosts in this process run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>
/// The whole platform in-process against the real PostgreSQL of <c>BIASBOUNTY_TEST_DB</c> (deploy/test.sh starts one):
/// a fresh database per factory, migrated and seeded by the app's own start-up, with a real Hangfire server when the
/// role runs jobs. The database is dropped on disposal.
/// </summary>
public class PlatformFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string EnvironmentVariable = "BIASBOUNTY_TEST_DB";

    private readonly string _adminConnectionString;
    private readonly string _database = "bbtest_" + Guid.NewGuid().ToString("N")[..12];

    public PlatformFactory()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. These integration tests need a real PostgreSQL: run them with deploy/test.sh, " +
                $"which starts a throwaway cluster, or export {EnvironmentVariable} as an Npgsql connection string of a user that may create databases.");
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
    }

    /// <summary>The value of <c>BiasBounty:Role</c>.</summary>
    public virtual string Role => "all";

    /// <summary>Whether the demo competition is seeded (it trains a baseline, a few seconds).</summary>
    public virtual bool Demo => true;

    public string ConnectionString { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:BiasBounty", ConnectionString);
        builder.UseSetting("BiasBounty:Role", Role);
        builder.UseSetting("BiasBounty:Demo:Enabled", Demo ? "true" : "false");
        builder.UseSetting("BiasBounty:Worker:WorkerCount", "2");
        builder.UseSetting("BiasBounty:Worker:QueuePollInterval", "00:00:00.200");
        builder.UseSetting("BiasBounty:Review:DisclosureNoticeSchedule", Hangfire.Cron.Never()); // tests run the job themselves
        builder.UseSetting("BiasBounty:Worker:StalledSweepSchedule", Hangfire.Cron.Never()); // arranged submissions wait for their test
        builder.UseSetting("BiasBounty:Deployers:RetentionSchedule", Hangfire.Cron.Never()); // tests run the clean-up themselves
    }

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        StartHost();
    }

    /// <summary>Starts the host (migrations, seeding, Hangfire server): the in-memory test server unless a subclass
    /// serves on a real socket.</summary>
    protected virtual void StartHost() => _ = Server;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>A scope with the app's services (DbContext, job client, jobs).</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public ApplicationDbContext NewDb(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();

    /// <summary>Runs the scoring job directly (no queue) in its own scope, as a Hangfire worker would.</summary>
    public async Task RunScoringJobAsync(Guid submissionId)
    {
        await using var scope = Scope();
        await Task.Yield(); // so that two calls started together really run concurrently
        await scope.ServiceProvider.GetRequiredService<ScoreSubmissionJob>().RunAsync(submissionId, CancellationToken.None);
    }

    public IBackgroundJobClient Jobs => Services.GetRequiredService<IBackgroundJobClient>();
}
