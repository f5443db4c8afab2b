using System.Linq.Expressions;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Review;

namespace BiasBounty.Web.Submissions;

/// <summary>Where a submission is. Scored, Failed and Refused are final.</summary>
public enum SubmissionState { Queued, Scoring, Scored, Failed, Refused }

/// <summary>A finding (a group expression) with an optional fix model, from one member of a team.</summary>
public class Submission
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public Guid TeamId { get; set; }

    public required string UserId { get; set; }

    /// <summary>The group as the participant wrote it; the record keeps the canonical form.</summary>
    public required string Expression { get; set; }

    public Guid? FixModelFileId { get; set; }

    public StoredFile? FixModelFile { get; set; }

    public Metric Metric { get; set; } = Metric.Error;

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

    public bool IsFinished => State is SubmissionState.Scored or SubmissionState.Failed or SubmissionState.Refused;

    /// <summary>Changes the state and returns the audit event to save with it; every state change goes through here.</summary>
    public AuditEvent MoveTo(SubmissionState next, string? reason = null, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var audit = new AuditEvent
        {
            CompetitionId = CompetitionId, SubmissionId = Id, UserId = UserId, Kind = AuditEvent.SubmissionStateChanged,
            FromState = State, ToState = next, Detail = reason, At = now,
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

/// <summary>The engine's verdict on a submission: the full internal record (organizers) and the released view (participants).</summary>
public class SubmissionScore
{
    public Guid SubmissionId { get; set; }

    public Guid CompetitionId { get; set; }

    public Guid TeamId { get; set; }

    private ScoreRecord _record = null!;

    /// <summary>The full internal record; setting it also sets <see cref="NearDuplicate"/>, so the two cannot disagree.</summary>
    public required ScoreRecord Record
    {
        get => _record;
        set
        {
            _record = value;
            NearDuplicate = IsNearDuplicate(value);
        }
    }

    /// <summary>Whether the engine found the group (nearly) the same as an earlier one: stored beside the record so the
    /// triage queue can flag it without loading every record.</summary>
    public bool NearDuplicate { get; private set; }

    public static bool IsNearDuplicate(ScoreRecord record) => record.DuplicateOf is not null || record.NearDuplicates.Count > 0;

    /// <summary>Sets <see cref="NearDuplicate"/> on rows stored before it existed (keys as <c>ApplicationDbContext.Json</c> writes them).</summary>
    public const string BackfillNearDuplicateSql =
        """
        UPDATE "Scores" SET "NearDuplicate" = ("Record"->>'duplicateOf' IS NOT NULL
            OR (jsonb_typeof("Record"->'nearDuplicates') = 'array' AND jsonb_array_length("Record"->'nearDuplicates') > 0));
        """;

    public required ReleasedView Released { get; set; }

    public ScoreStatus Status { get; set; }

    /// <summary>The group's identity on the holdout; duplicates are looked up by it.</summary>
    public required string MaskHash { get; set; }

    public bool FindingVerified { get; set; }

    public bool FixAccepted { get; set; }

    public double Points { get; set; }

    /// <summary>The model version the submission was judged against.</summary>
    public int ModelVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>Points earned by a team for one submission; one row per submission at most.</summary>
public class PointsEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public Guid TeamId { get; set; }

    public Guid SubmissionId { get; set; }

    public double Points { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>An append-only log line: every state change of a submission, and other events worth keeping.</summary>
public class AuditEvent
{
    public const string SubmissionCreated = "submission.created";
    public const string SubmissionStateChanged = "submission.state";
    public const string TriageChanged = "triage.changed";
    public const string AwardAdjusted = "award.adjusted";
    public const string DisclosureChanged = "disclosure.changed";
    public const string HoldoutRefreshed = "holdout.refreshed";
    public const string CompetitionClosed = "competition.closed";
    public const string PayoutChanged = "payout.changed";
    public const string SettingsChanged = "competition.settings";
    public const string ScoringRequeued = "submission.requeued";

    public long Id { get; set; }

    public Guid? CompetitionId { get; set; }

    public Guid? SubmissionId { get; set; }

    /// <summary>The submitter, for submission events.</summary>
    public string? UserId { get; set; }

    /// <summary>Who acted: the organizer or admin behind a triage, award, disclosure or close; null for the system.</summary>
    public string? ActorId { get; set; }

    public required string Kind { get; set; }

    public SubmissionState? FromState { get; set; }

    public SubmissionState? ToState { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}
