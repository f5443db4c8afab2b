using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;

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

    /// <summary>How many times a worker has started on it; a job that keeps crashing its worker ends in Failed.</summary>
    public int Runs { get; set; }

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

    public required ScoreRecord Record { get; set; }

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

    public long Id { get; set; }

    public Guid? CompetitionId { get; set; }

    public Guid? SubmissionId { get; set; }

    public string? UserId { get; set; }

    public required string Kind { get; set; }

    public SubmissionState? FromState { get; set; }

    public SubmissionState? ToState { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}
