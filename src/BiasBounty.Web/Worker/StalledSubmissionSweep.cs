using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Worker;

/// <summary>
/// Nothing stays queued for ever: finds unfinished submissions whose scoring job was never enqueued (the process
/// stopped between saving and enqueueing, or Hangfire's storage refused) or whose job is gone (deleted from the
/// dashboard, expired, or failed without the submission being marked), and enqueues a new one. Enqueueing too often is
/// harmless: the job is re-entrant, and a submission that keeps killing its worker ends in Failed after
/// <see cref="ScoreSubmissionJob.MaxRuns"/> runs.
/// </summary>
public sealed class StalledSubmissionSweep(ApplicationDbContext db, JobStorage storage, IScoringQueue queue,
    IOptions<ScoringWorkerOptions> options, TimeProvider time, ILogger<StalledSubmissionSweep> log)
{
    public const string RecurringJobId = "stalled-submissions";

    /// <summary>Submissions read per page, and the most one run enqueues; the rest wait for the next run.</summary>
    public const int BatchSize = 200;

    /// <summary>Hangfire states in which a job will still run (a retry waits in Scheduled; a dead server's job is
    /// handed to another server while it stays Processing, within <see cref="ScoringWorkerOptions.InvisibilityTimeout"/>).</summary>
    private static readonly HashSet<string> LiveStates =
        [EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName];

    /// <summary>Marks submissions saved before job ids were recorded (set by the <c>ScoringJobIds</c> migration): their job
    /// is unknown, so they count as stalled only after <see cref="LegacyGrace"/>, long after any job of theirs would have run.</summary>
    public const string LegacyJobId = "legacy";

    public static readonly TimeSpan LegacyGrace = TimeSpan.FromHours(6);

    // A recurring job runs again at its next schedule and picks up whatever this run left: a retry would only run it twice.
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var savedBefore = now - options.Value.StalledAfter;
        var requeued = 0;
        // Keyset pages, oldest first, to the end: a backlog of live jobs must not hide a stalled submission behind it.
        (DateTimeOffset At, Guid Id)? after = null;
        while (requeued < BatchSize)
        {
            var query = db.Submissions.AsNoTracking().Where(Submission.Unfinished).Where(s => s.CreatedAt < savedBefore);
            if (after is { } key) query = query.Where(s => s.CreatedAt > key.At || (s.CreatedAt == key.At && s.Id.CompareTo(key.Id) > 0));
            var page = await query.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Take(BatchSize)
                .Select(s => new { s.Id, s.CompetitionId, s.UserId, s.ScoringJobId, s.CreatedAt })
                .ToListAsync(ct);
            foreach (var submission in page)
            {
                var state = submission.ScoringJobId == LegacyJobId ? LegacyState(submission.CreatedAt, now) : StateOf(submission.ScoringJobId);
                if (state is not null && LiveStates.Contains(state)) continue;
                // Read again after the job's state: a job that finished in between left a finished submission.
                if (!await db.Submissions.Where(Submission.Unfinished).AnyAsync(s => s.Id == submission.Id, ct))
                    continue;
                if (await queue.EnqueueAsync(submission.Id) is not { } jobId) continue;
                var why = submission.ScoringJobId is null ? "its scoring job had not been enqueued" : $"its scoring job {submission.ScoringJobId} was {state ?? "gone"}";
                log.LogWarning("Submission {SubmissionId} had no live scoring job ({Why}); enqueued job {JobId}", submission.Id, why, jobId);
                // Saved one by one: an error later in the run must not leave an enqueued job without its audit event.
                db.AuditEvents.Add(new AuditEvent
                {
                    CompetitionId = submission.CompetitionId, SubmissionId = submission.Id, UserId = submission.UserId,
                    Kind = AuditEvent.ScoringRequeued, Detail = $"Scoring job {jobId} enqueued: {why}.", At = now,
                });
                await db.SaveChangesAsync(ct);
                requeued++;
            }
            if (page.Count < BatchSize) break;
            after = (page[^1].CreatedAt, page[^1].Id);
        }
        return requeued;
    }

    /// <summary>A legacy submission's job counts as live (Enqueued) until the grace has passed, then as gone.</summary>
    private static string? LegacyState(DateTimeOffset createdAt, DateTimeOffset now) =>
        now - createdAt < LegacyGrace ? EnqueuedState.StateName : null;

    /// <summary>The Hangfire state of a job; null when there is no such job (never enqueued, or expired and removed).</summary>
    private string? StateOf(string? jobId)
    {
        if (jobId is null) return null;
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
