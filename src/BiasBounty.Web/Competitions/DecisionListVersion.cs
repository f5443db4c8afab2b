using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
namespace BiasBounty.Web.Competitions;

/// <summary>
/// One published version of a competition's model: the whole <c>PointerDecisionList</c> as JSON (text, so the bytes
/// the engine wrote are kept exactly). (CompetitionId, Version) is unique, so two workers can never both publish the
/// same version.
/// </summary>
public class DecisionListVersion
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public int Version { get; set; }

    public required string ListJson { get; set; }

    /// <summary>The submission whose accepted fix created this version (null for version 0).</summary>
    public Guid? SubmissionId { get; set; }

    /// <summary>Mean loss of this version on the holdout's feedback part; released rounded to 0.1 %.</summary>
    public double FeedbackLoss { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class DecisionListVersionConfiguration : IEntityTypeConfiguration<DecisionListVersion>
{
    public void Configure(EntityTypeBuilder<DecisionListVersion> e)
    {
        e.HasIndex(v => new { v.CompetitionId, v.Version }).IsUnique();
        e.HasOne<Competition>().WithMany().HasForeignKey(v => v.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}
