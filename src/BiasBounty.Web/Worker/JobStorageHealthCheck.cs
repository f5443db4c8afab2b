using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BiasBounty.Web.Worker;

/// <summary><c>/healthz</c>'s check of Hangfire's storage (schema <c>hangfire</c>): where submissions are enqueued and scored from.</summary>
public sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public const string Name = "job-storage";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var connection = storage.GetConnection();
            _ = connection.GetAllItemsFromSet("recurring-jobs");
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the job storage did not answer", e));
        }
    }
}
