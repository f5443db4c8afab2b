using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BiasBounty.Web.Worker;

/// <summary>
/// <c>/healthz/ready</c>'s check on a role that runs jobs: this process's Hangfire server is registered in the job
/// storage and its heartbeat is recent, so it is really taking jobs (a server whose heartbeat stopped is one that other
/// servers will soon remove, and whose jobs they will take over).
/// </summary>
public sealed class WorkerHeartbeatHealthCheck(JobStorage storage, TimeProvider time) : IHealthCheck
{
    public const string Name = "worker-heartbeat";

    /// <summary>Hangfire beats every 30 s; two missed beats and a margin mean the server is not working.</summary>
    public static readonly TimeSpan MaxHeartbeatAge = TimeSpan.FromSeconds(75);

    /// <summary>The name this process's Hangfire server registers under.</summary>
    public static string ServerName { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            // Hangfire adds a unique suffix to the name it is given.
            var own = storage.GetMonitoringApi().Servers()
                .Where(s => s.Name.StartsWith(ServerName + ":", StringComparison.Ordinal) || s.Name == ServerName)
                .ToList();
            if (own.Count == 0) return Task.FromResult(HealthCheckResult.Unhealthy("this worker's job server has not registered yet"));
            var now = time.GetUtcNow().UtcDateTime;
            var freshest = own.Max(s => s.Heartbeat ?? s.StartedAt);
            return Task.FromResult(now - freshest <= MaxHeartbeatAge
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"this worker's job server last beat {(now - freshest).TotalSeconds:0} s ago"));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the job storage did not answer", e));
        }
    }
}
