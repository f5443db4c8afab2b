using System.Linq.Expressions;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Web.Competitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Submissions;

/// <summary>Where a submission is. Scored, Failed and Refused are final.</summary>
public enum SubmissionState { Queued, Scoring, Scored, Failed, Refused }

/// <summary>A finding (a group expression) with an optional fix model, from one member of a team.</summary>
public class Submission
{
    /// <summary>Longest organizer note (triage note, withholding reason).</summary>
    public const int MaxNoteLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public Guid TeamId { get; set; }

    public required string UserId { get; set; }

    /// <summary>The group as the participant wrote it; the record keeps the canonical form.</summary>
    public required string Expression { get; set; }

    /// <summary>
    /// <see cref="Expression"/> in canonical form (<see cref="SubgroupExpression.ToCanonicalString"/>), kept so that no
    /// reader parses it again. Null on a row stored before it was kept (until <see cref="ExpressionFormBackfill"/> fills it)
    /// and on one whose expression does not parse.
    /// </summary>
    public string? CanonicalExpression { get; set; }

    /// <summary>The columns <see cref="Expression"/> uses, in ordinal order (a PostgreSQL <c>text[]</c>); null as
    /// <see cref="CanonicalExpression"/> is.</summary>
    public string[]? ExpressionColumns { get; set; }

    public Guid? FixModelFileId { get; set; }

    public StoredFile? FixModelFile { get; set; }

    public Metric Metric { get; set; } = Metric.Error;

    /// <summary>The client's <c>Idempotency-Key</c> for the request that created it (unique per user), so a retried
    /// request returns this submission instead of creating another.</summary>
    public string? IdempotencyKey { get; set; }

    public const int MaxIdempotencyKeyLength = 200;

    public SubmissionState State { get; set; } = SubmissionState.Queued;

    /// <summary>Why it failed or was refused, written for the participant; never holds holdout values.</summary>
    public string? FailureReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The Hangfire job that scores it; null until the job is enqueued (the stalled-submission sweep enqueues
    /// one when it stays null, or when the job is gone).</summary>
    public string? ScoringJobId { get; set; }

    /// <summary>How many times a worker has started on it; a job that keeps crashing its worker ends in Failed.</summary>
    public int Runs { get; set; }

    /// <summary>The organizer's review; the scoring job moves <see cref="TriageState.New"/> to <see cref="TriageState.Scored"/>.</summary>
    public TriageState Triage { get; set; } = TriageState.New;

    /// <summary>The organizer's note on the latest triage decision (shown to the team).</summary>
    public string? TriageNote { get; set; }

    /// <summary>The earlier submission this one duplicates, when <see cref="Triage"/> is <see cref="TriageState.Duplicate"/>.</summary>
    public Guid? DuplicateOfId { get; set; }

    public DateTimeOffset? TriagedAt { get; set; }

    public string? TriagedById { get; set; }

    /// <summary>
    /// When an approved finding becomes public: approval time plus the competition's embargo, or earlier when the
    /// organizer discloses it early. Null while not approved. Kept while withheld (the date promised to the team, for the
    /// undo): every reader must also check <see cref="WithheldReason"/>, as <see cref="IsDisclosed"/> does.
    /// </summary>
    public DateTimeOffset? DiscloseAt { get; set; }

    /// <summary>Why the organizer withholds an approved finding from disclosure; null when it is not withheld.</summary>
    public string? WithheldReason { get; set; }

    /// <summary>When the team was told the finding is public (by the organizer's early disclosure or by
    /// <c>DisclosureNoticeJob</c> once the embargo ended); null until then.</summary>
    public DateTimeOffset? DisclosureNoticeSentAt { get; set; }

    /// <summary>Whether the public may see the finding at <paramref name="now"/>.</summary>
    public bool IsDisclosed(DateTimeOffset now) =>
        Triage == TriageState.Approved && WithheldReason is null && DiscloseAt is { } at && at <= now;

    /// <summary><see cref="IsDisclosed"/> as a query filter, for rows not loaded yet (the same rule, in SQL).</summary>
    public static Expression<Func<Submission, bool>> DisclosedAt(DateTimeOffset now) =>
        s => s.Triage == TriageState.Approved && s.WithheldReason == null && s.DiscloseAt != null && s.DiscloseAt <= now;

    /// <summary>Not finished, as a query filter: the complement of <see cref="IsFinished"/>.</summary>
    public static readonly Expression<Func<Submission, bool>> Unfinished =
        s => s.State == SubmissionState.Queued || s.State == SubmissionState.Scoring;

    /// <summary>Keeps the canonical text and the columns of <paramref name="parsed"/>, the parse of <see cref="Expression"/>.</summary>
    public Submission WithParsedExpression(SubgroupExpression parsed)
    {
        CanonicalExpression = parsed.ToCanonicalString();
        ExpressionColumns = [.. parsed.Columns];
        return this;
    }

    /// <summary>
    /// Parses <see cref="Expression"/> and keeps its canonical text and columns, for rows written without the submit
    /// slice (seeders, the backfill); false, keeping nothing, when it does not parse.
    /// </summary>
    public bool TryParseExpression()
    {
        try
        {
            WithParsedExpression(SubgroupExpression.Parse(Expression));
            return true;
        }
        catch (ExpressionException)
        {
            return false;
        }
    }

    public bool IsFinished => State is SubmissionState.Scored or SubmissionState.Failed or SubmissionState.Refused;

    /// <summary>Changes the state and returns the audit event to save with it; every state change goes through here.</summary>
    public AuditEvent MoveTo(SubmissionState next, string? reason = null, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var audit = new AuditEvent
        {
            CompetitionId = CompetitionId, SubmissionId = Id, UserId = UserId, Kind = AuditEvent.SubmissionStateChanged,
            FromState = State.ToString(), ToState = next.ToString(), Detail = reason, At = now,
        };
        State = next;
        if (next == SubmissionState.Scoring) StartedAt ??= now;
        if (IsFinished)
        {
            FinishedAt = now;
            FailureReason = reason;
            if (Triage == TriageState.New) Triage = TriageState.Scored; // the engine has answered: the organizer's turn
        }
        return audit;
    }
}

internal sealed class SubmissionConfiguration : IEntityTypeConfiguration<Submission>
{
    public void Configure(EntityTypeBuilder<Submission> e)
    {
        e.HasIndex(s => new { s.CompetitionId, s.CreatedAt });
        e.HasIndex(s => new { s.TeamId, s.CreatedAt });
        e.Property(s => s.Expression).HasMaxLength(4000);
        e.Property(s => s.CanonicalExpression).HasMaxLength(4000);
        e.Property(s => s.Metric).HasConversion<string>().HasMaxLength(20);
        e.Property(s => s.State).HasConversion<string>().HasMaxLength(20);
        e.Property(s => s.FailureReason).HasMaxLength(2000);
        e.Property(s => s.ScoringJobId).HasMaxLength(100);
        e.Property(s => s.IdempotencyKey).HasMaxLength(Submission.MaxIdempotencyKeyLength);
        e.HasIndex(s => new { s.UserId, s.IdempotencyKey }).IsUnique().HasFilter("\"IdempotencyKey\" IS NOT NULL");
        // The sweep looks for unfinished submissions only: a partial index keeps that lookup small forever.
        e.HasIndex(s => s.CreatedAt).HasFilter("\"State\" IN ('Queued', 'Scoring')").HasDatabaseName("IX_Submissions_Unfinished");
        e.Property(s => s.Triage).HasConversion<string>().HasMaxLength(20);
        e.Property(s => s.TriageNote).HasMaxLength(Submission.MaxNoteLength);
        e.Property(s => s.WithheldReason).HasMaxLength(Submission.MaxNoteLength);
        e.HasIndex(s => new { s.CompetitionId, s.Triage });
        e.HasOne<Submission>().WithMany().HasForeignKey(s => s.DuplicateOfId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.TriagedById).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Competition>().WithMany().HasForeignKey(s => s.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne(s => s.FixModelFile).WithMany().HasForeignKey(s => s.FixModelFileId).OnDelete(DeleteBehavior.Restrict);
        e.Ignore(s => s.IsFinished);
    }
}
