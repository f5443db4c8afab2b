namespace BiasBounty.Web.Rewards;

/// <summary>An organizer's change to the points of one submission, with the written reason SCORING.md §8 requires;
/// the engine's own points are never rewritten, so the record of what it measured stays intact.</summary>
public class AwardAdjustment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public Guid SubmissionId { get; set; }

    public Guid TeamId { get; set; }

    /// <summary>Points added (negative: removed), to one decimal.</summary>
    public double Delta { get; set; }

    public required string Reason { get; set; }

    /// <summary>The organizer or admin who made it.</summary>
    public required string ActorId { get; set; }

    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;

    public const int MaxReasonLength = 2000;
}
