using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BiasBounty.Web.Persistence;

/// <summary>
/// <c>/healthz/ready</c>'s check that the database has every migration this build knows: a new build started against an
/// old schema (or a database another build migrated back) is not ready. Once true it stays true for the process, as a
/// schema does not lose migrations under a running build.
/// </summary>
public sealed class MigrationsHealthCheck(ApplicationDbContext db, MigrationsHealthCheck.Memory memory) : IHealthCheck
{
    public const string Name = "migrations";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (memory.AllApplied) return HealthCheckResult.Healthy();
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).Count();
            if (pending > 0) return HealthCheckResult.Unhealthy($"{pending} database migration(s) of this build are not applied yet");
            memory.AllApplied = true;
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the database did not answer", e);
        }
    }

    /// <summary>What the check has learnt for the life of the process (a singleton).</summary>
    public sealed class Memory
    {
        public volatile bool AllApplied;
    }
}
