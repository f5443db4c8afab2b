using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Worker;

/// <summary>Enqueues the scoring job of a stored submission as a Hangfire job and remembers the job's id on it.</summary>
public sealed class HangfireScoringQueue(ApplicationDbContext db, IBackgroundJobClient jobs, ILogger<HangfireScoringQueue> log) : IScoringQueue
{
    /// <summary>
    /// Pauses before each further attempt to enqueue. A database restart refuses connections for a second or two; without
    /// these retries a submission saved just before it waited for the stalled-submission sweep (up to StalledAfter plus
    /// the sweep's five-minute schedule: deploy/faults.sh measured 6 minutes), with them it waits seconds.
    /// </summary>
    public static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    public async Task<string?> EnqueueAsync(Guid submissionId)
    {
        string jobId;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                jobId = jobs.Enqueue<ScoreSubmissionJob>(job => job.RunAsync(submissionId, CancellationToken.None));
                break;
            }
            catch (Exception e) when (attempt < RetryDelays.Length)
            {
                log.LogInformation("Could not enqueue the scoring of submission {SubmissionId} (attempt {Attempt}): {Error}; trying again",
                    submissionId, attempt + 1, e.Message);
                await Task.Delay(RetryDelays[attempt]);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Could not enqueue the scoring of submission {SubmissionId}; the stalled-submission sweep will", submissionId);
                return null;
            }
        }
        try
        {
            // Not the caller's token: the job exists now, and its id is what keeps the sweep from enqueueing a second one.
            await db.Submissions.Where(s => s.Id == submissionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ScoringJobId, jobId), CancellationToken.None);
        }
        catch (Exception e)
        {
            // A second job may follow from the sweep; the job is re-entrant, so that costs a little time and nothing else.
            log.LogWarning(e, "Could not record scoring job {JobId} on submission {SubmissionId}", jobId, submissionId);
        }
        return jobId;
    }
}
