using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Audit;

/// <summary>An append-only log line: every state change of a submission, and other events worth keeping.</summary>
public class AuditEvent
{
    public const string SubmissionCreated = "submission.created";
    public const string SubmissionStateChanged = "submission.state";
    public const string TriageChanged = "triage.changed";
    public const string AwardAdjusted = "award.adjusted";
    public const string DisclosureChanged = "disclosure.changed";
    public const string HoldoutRefreshed = "holdout.refreshed";
    public const string SystemVersionPublished = "system-version.published";
    public const string CompetitionClosed = "competition.closed";
    public const string PayoutChanged = "payout.changed";
    public const string SettingsChanged = "competition.settings";
    public const string ScoringRequeued = "submission.requeued";
    public const string ServiceCardChanged = "servicecard.changed";

    public long Id { get; set; }

    public Guid? CompetitionId { get; set; }

    public Guid? SubmissionId { get; set; }

    /// <summary>The submitter, for submission events.</summary>
    public string? UserId { get; set; }

    /// <summary>Who acted: the organizer or admin behind a triage, award, disclosure or close; null for the system.</summary>
    public string? ActorId { get; set; }

    public required string Kind { get; set; }

    public string? FromState { get; set; }

    public string? ToState { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> e)
    {
        e.HasIndex(a => new { a.SubmissionId, a.At });
        e.HasIndex(a => new { a.CompetitionId, a.At });
        e.Property(a => a.Kind).HasMaxLength(50);
        e.Property(a => a.FromState).HasMaxLength(20);
        e.Property(a => a.ToState).HasMaxLength(20);
    }
}
