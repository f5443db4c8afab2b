using Microsoft.Extensions.Options;
using Npgsql;

namespace BiasBounty.Web.Worker;

/// <summary>
/// Puts a job whose worker died at the front of the queue. Hangfire.PostgreSql hands a fetched job to another worker
/// once its fetch is older than the invisibility timeout, but it takes jobs never fetched first
/// (<c>ORDER BY fetchedat NULLS FIRST, queue, jobid</c>), so during a burst a dead worker's job waited until every job
/// queued after it had been taken: minutes behind a deep queue, where the issue allows 60 s. Clearing its fetch time, as
/// Hangfire itself does when a worker gives a job back, ranks it among the waiting jobs by job id, the oldest first.
/// Only fetches older than the invisibility timeout are cleared: a live worker renews its fetch every fifth of that, and
/// Hangfire would already give such a job to another worker; this changes only when.
/// </summary>
/// <remarks>A hosted service on job-running roles rather than a Hangfire job: a recurring job would wait in the same queue.</remarks>
public sealed class AbandonedJobs(IConfiguration configuration, IOptions<ScoringWorkerOptions> options, ILogger<AbandonedJobs> log) : BackgroundService
{
    /// <summary>Clears the fetch time of every queue entry no worker has renewed within the invisibility timeout; returns how many.</summary>
    public async Task<int> RequeueAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(configuration.GetConnectionString("BiasBounty"));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""UPDATE "{WorkerExtensions.HangfireSchema}"."jobqueue" SET "fetchedat" = NULL WHERE "fetchedat" < NOW() - @timeout""", connection);
        command.Parameters.AddWithValue("timeout", options.Value.InvisibilityTimeout);
        return await command.ExecuteNonQueryAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A few looks per timeout: a dead worker's job is at the front of the queue within a sixth of it after expiring.
        using var timer = new PeriodicTimer(options.Value.InvisibilityTimeout / 6);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (await RequeueAsync(stoppingToken) is > 0 and var requeued)
                        log.LogWarning("{Count} scoring job(s) fetched by a worker that stopped renewing them are back at the front of the queue", requeued);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // The database is restarting or the schema is not there yet: the next tick tries again.
                    log.LogDebug("Could not look for abandoned jobs: {Reason}", e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
