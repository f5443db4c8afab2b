using BiasBounty.Web.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Scoring;

/// <summary>Enqueues the scoring job of a stored submission and remembers the job's id on it.</summary>
public sealed class ScoringQueue(ApplicationDbContext db, IBackgroundJobClient jobs, ILogger<ScoringQueue> log)
{
    /// <summary>
    /// The new job's id, or null when Hangfire's storage refused it. The submission is already stored, so neither failure
    /// reaches the participant: <see cref="StalledSubmissionSweep"/> enqueues whatever has no live job.
    /// </summary>
    public async Task<string?> EnqueueAsync(Guid submissionId)
    {
        string jobId;
        try
        {
            jobId = jobs.Enqueue<ScoreSubmissionJob>(job => job.RunAsync(submissionId, CancellationToken.None));
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not enqueue the scoring of submission {SubmissionId}; the stalled-submission sweep will", submissionId);
            return null;
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
