using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Scoring;

/// <summary>
/// Nothing stays queued for ever: finds unfinished submissions whose scoring job was never enqueued (the process
/// stopped between saving and enqueueing, or Hangfire's storage refused) or whose job is gone (deleted from the
/// dashboard, expired, or failed without the submission being marked), and enqueues a new one. Enqueueing too often is
/// harmless: the job is re-entrant, and a submission that keeps killing its worker ends in Failed after
/// <see cref="ScoreSubmissionJob.MaxRuns"/> runs.
/// </summary>
public sealed class StalledSubmissionSweep(ApplicationDbContext db, JobStorage storage, ScoringQueue queue,
    IOptions<ScoringWorkerOptions> options, TimeProvider time, ILogger<StalledSubmissionSweep> log)
{
    public const string RecurringJobId = "stalled-submissions";

    /// <summary>Submissions looked at per run, oldest first; the rest wait for the next run.</summary>
    public const int BatchSize = 200;

    /// <summary>Hangfire states in which a job will still run (a retry waits in Scheduled; a dead server's job is
    /// handed to another server while it stays Processing).</summary>
    private static readonly HashSet<string> LiveStates =
        [EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName];

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var savedBefore = now - options.Value.StalledAfter;
        var candidates = await db.Submissions.AsNoTracking()
            .Where(s => (s.State == SubmissionState.Queued || s.State == SubmissionState.Scoring) && s.CreatedAt < savedBefore)
            .OrderBy(s => s.CreatedAt).Take(BatchSize)
            .Select(s => new { s.Id, s.CompetitionId, s.UserId, s.ScoringJobId })
            .ToListAsync(ct);
        var requeued = 0;
        foreach (var submission in candidates)
        {
            var state = StateOf(submission.ScoringJobId);
            if (state is not null && LiveStates.Contains(state)) continue;
            if (await queue.EnqueueAsync(submission.Id) is not { } jobId) continue;
            var why = submission.ScoringJobId is null ? "its scoring job had not been enqueued" : $"its scoring job {submission.ScoringJobId} was {state ?? "gone"}";
            log.LogWarning("Submission {SubmissionId} had no live scoring job ({Why}); enqueued job {JobId}", submission.Id, why, jobId);
            db.AuditEvents.Add(new AuditEvent
            {
                CompetitionId = submission.CompetitionId, SubmissionId = submission.Id, UserId = submission.UserId,
                Kind = AuditEvent.ScoringRequeued, Detail = $"Scoring job {jobId} enqueued: {why}.", At = now,
            });
            requeued++;
        }
        await db.SaveChangesAsync(ct);
        return requeued;
    }

    /// <summary>The Hangfire state of a job; null when there is no such job (never enqueued, or expired and removed).</summary>
    private string? StateOf(string? jobId)
    {
        if (jobId is null) return null;
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
