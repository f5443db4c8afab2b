using System.ComponentModel.DataAnnotations;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Review;

/// <summary>
/// Tells each team when its approved finding goes public because the embargo ended (nothing else happens at that
/// moment, so a recurring job looks for it). Early disclosures are announced by the organizer's action and marked, so
/// no team hears it twice; <see cref="Submissions.Submission.DisclosureNoticeSentAt"/> is set in the same transaction
/// as the notice.
/// </summary>
public sealed class DisclosureNoticeJob(ApplicationDbContext db, Notifier notifier, TimeProvider time)
{
    public const string RecurringJobId = "disclosure-notices";

    /// <summary>Notices per run; the rest wait for the next run.</summary>
    public const int BatchSize = 500;

    // A recurring job runs again at its next schedule and picks up whatever this run left: a retry would only run it twice.
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Row locks (skipping rows an organizer holds right now): a finding withheld while this runs is either seen
        // withheld here, or waits for this transaction; PostgreSQL re-checks the conditions on the locked rows.
        var due = await db.Submissions.FromSql(
                $"""
                SELECT * FROM "Submissions"
                WHERE "Triage" = 'Approved' AND "WithheldReason" IS NULL AND "DiscloseAt" <= {now} AND "DisclosureNoticeSentAt" IS NULL
                ORDER BY "DiscloseAt" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        var competitionIds = due.Select(s => s.CompetitionId).Distinct().ToArray();
        var names = await db.Competitions.Where(c => competitionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        foreach (var submission in due.Where(s => s.IsDisclosed(now)))
        {
            submission.DisclosureNoticeSentAt = now;
            await notifier.TellTeamAsync(submission.TeamId, new TeamMessage(submission.CompetitionId, submission.Id, Notification.Disclosure,
                $"Your finding is now public on the {names[submission.CompetitionId]} leaderboard",
                $"\"{submission.Expression}\" is now listed among the disclosed findings, with your team as its finder.",
                $"submissions/{submission.Id}"), ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return due.Count;
    }
}

/// <summary>Section <c>BiasBounty:Review</c>.</summary>
public sealed class ReviewOptions
{
    public const string Section = "BiasBounty:Review";

    /// <summary>Cron schedule of <see cref="DisclosureNoticeJob"/>; every ten minutes by default (an embargo is counted
    /// in days, so a notice at most ten minutes late is on time). Tests set it to never and run the job themselves.</summary>
    [Required]
    public string DisclosureNoticeSchedule { get; set; } = "*/10 * * * *";
}
