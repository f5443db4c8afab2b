using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Teams;

namespace BiasBounty.Web.Submissions;

/// <summary>An organizer's change to the points of one submission, with the written reason docs/scoring-rules.md requires;
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

public static class AwardAdjustmentTotals
{
    /// <summary>The adjustments summed per submission (only submissions that have any).</summary>
    public static Task<Dictionary<Guid, double>> TotalsBySubmissionAsync(this IQueryable<AwardAdjustment> adjustments, CancellationToken ct = default) =>
        adjustments.AsNoTracking().GroupBy(a => a.SubmissionId).Select(g => new { g.Key, Delta = g.Sum(a => a.Delta) })
            .ToDictionaryAsync(g => g.Key, g => g.Delta, ct);
}

internal sealed class AwardAdjustmentConfiguration : IEntityTypeConfiguration<AwardAdjustment>
{
    public void Configure(EntityTypeBuilder<AwardAdjustment> e)
    {
        e.HasIndex(a => new { a.CompetitionId, a.TeamId });
        e.HasIndex(a => a.SubmissionId);
        e.Property(a => a.Reason).HasMaxLength(AwardAdjustment.MaxReasonLength);
        e.HasOne<Competition>().WithMany().HasForeignKey(a => a.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Submission>().WithMany().HasForeignKey(a => a.SubmissionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.ActorId).OnDelete(DeleteBehavior.Restrict);
    }
}
