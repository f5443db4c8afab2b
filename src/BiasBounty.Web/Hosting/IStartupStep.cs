namespace BiasBounty.Web.Hosting;

/// <summary>Something to do once the database is migrated and before requests or jobs are served (e.g. seeding).</summary>
public interface IStartupStep
{
    Task RunAsync(CancellationToken ct);
}
