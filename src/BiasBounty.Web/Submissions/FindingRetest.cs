using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Submissions;

/// <summary>
/// A verified finding tested again on a published system version: the group's rate against the rest's on the
/// confirmation part with the verification's test and level (internal, like the score's record), and the feedback
/// part's noisy, rounded numbers (the released ones). One row per (submission, version): a retried job adds none.
/// </summary>
public class FindingRetest
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public Guid SubmissionId { get; set; }

    public Guid SystemVersionId { get; set; }

    /// <summary>The version's number, kept so readers need no join.</summary>
    public int VersionNumber { get; set; }

    /// <summary>The group's rate (e.g. WER) on the confirmation part.</summary>
    public double GroupRate { get; set; }

    /// <summary>The rest's rate on the confirmation part.</summary>
    public double RestRate { get; set; }

    /// <summary>Group minus rest, in rate units (0.091 = 9.1 points).</summary>
    public double Gap { get; set; }

    /// <summary>The 95 % confidence interval of <see cref="Gap"/> (cluster-robust when the table has speakers).</summary>
    public double GapLower { get; set; }

    public double GapUpper { get; set; }

    /// <summary>Whether the gap still passes every rule that verified the finding (p-value, interval above 0, ratio, size).</summary>
    public bool StillSignificant { get; set; }

    /// <summary>The engine's whole result on the confirmation part (internal, never shown to participants).</summary>
    public required FindingResult Result { get; set; }

    /// <summary>The group's rate on the feedback part, noisy and rounded to 0.1 % as a submission's released numbers
    /// (<see cref="FeedbackNumbers.GroupErrorPercent"/>); null when the group is too small to release.</summary>
    public double? ReleasedGroupPercent { get; set; }

    /// <summary>The rest's, the same way (<see cref="FeedbackNumbers.ComplementErrorPercent"/>).</summary>
    public double? ReleasedRestPercent { get; set; }

    public DateTimeOffset TestedAt { get; set; }
}

internal sealed class FindingRetestConfiguration : IEntityTypeConfiguration<FindingRetest>
{
    public void Configure(EntityTypeBuilder<FindingRetest> e)
    {
        e.HasIndex(r => new { r.SubmissionId, r.SystemVersionId }).IsUnique();
        e.HasIndex(r => r.CompetitionId);
        e.Property(r => r.Result).AsJsonb();
        e.HasOne<Submission>().WithMany().HasForeignKey(r => r.SubmissionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<SystemVersion>().WithMany().HasForeignKey(r => r.SystemVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
