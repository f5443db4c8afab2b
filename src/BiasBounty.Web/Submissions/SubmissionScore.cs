using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Submissions;

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

internal sealed class SubmissionScoreConfiguration : IEntityTypeConfiguration<SubmissionScore>
{
    public void Configure(EntityTypeBuilder<SubmissionScore> e)
    {
        e.HasKey(s => s.SubmissionId);
        e.HasIndex(s => new { s.CompetitionId, s.MaskHash });
        e.Property(s => s.Record).AsJsonb();
        e.Property(s => s.Released).AsJsonb();
        e.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
        e.Property(s => s.MaskHash).HasMaxLength(64);
        e.HasOne<Submission>().WithOne().HasForeignKey<SubmissionScore>(s => s.SubmissionId).OnDelete(DeleteBehavior.Cascade);
    }
}
