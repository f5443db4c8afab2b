using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Teams;

namespace BiasBounty.Web.Submissions;

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

internal sealed class PointsEntryConfiguration : IEntityTypeConfiguration<PointsEntry>
{
    public void Configure(EntityTypeBuilder<PointsEntry> e)
    {
        e.HasIndex(p => p.SubmissionId).IsUnique(); // points are earned once per submission, whatever retries happen
        e.HasIndex(p => new { p.CompetitionId, p.TeamId });
        e.HasOne<Submission>().WithMany().HasForeignKey(p => p.SubmissionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.Restrict);
    }
}
