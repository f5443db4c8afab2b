using System.Linq.Expressions;
using BiasBounty.Scoring.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Competitions;

public enum CompetitionStatus { Draft, Open, Closed }

/// <summary>A competition: what participants read, and the settings the scorer needs.</summary>
public class Competition
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    /// <summary>URL name, unique: <c>/competitions/{slug}</c>.</summary>
    public required string Slug { get; set; }

    public string DescriptionMarkdown { get; set; } = "";

    public string RulesMarkdown { get; set; } = "";

    /// <summary>The organizer who created it (the Identity user id); null only for rows made before organizers existed.</summary>
    public string? OrganizerId { get; set; }

    public DateTimeOffset OpensAt { get; set; }

    public DateTimeOffset ClosesAt { get; set; }

    public Metric Metric { get; set; } = Metric.Error;

    /// <summary>The scoring settings of docs/scoring-rules.md (jsonb); <see cref="Metric"/> and <see cref="SplitSeed"/> are also columns.</summary>
    public CompetitionSettings Settings { get; set; } = new();

    public decimal RewardPool { get; set; }

    /// <summary>ISO 4217 code of <see cref="RewardPool"/>.</summary>
    public string RewardCurrency { get; set; } = "USD";

    public CompetitionStatus Status { get; set; } = CompetitionStatus.Draft;

    public int SplitSeed { get; set; }

    /// <summary>Seed of the stratified training/holdout split when the platform split one uploaded file; null when both were uploaded.</summary>
    public int? DataSplitSeed { get; set; }

    public required string LabelColumn { get; set; }

    public string? PositiveClass { get; set; }

    /// <summary>The data card's schema (<c>DatasetSchema</c> as JSON): columns, kinds and roles.</summary>
    public required string SchemaJson { get; set; }

    public Guid? TrainingFileId { get; set; }

    public StoredFile? TrainingFile { get; set; }

    public Guid? HoldoutFileId { get; set; }

    public StoredFile? HoldoutFile { get; set; }

    /// <summary>Days between an approval and the finding's public disclosure (0: at approval).</summary>
    public int DisclosureEmbargoDays { get; set; } = DefaultEmbargoDays;

    public const int DefaultEmbargoDays = 30;

    /// <summary>
    /// Columns whose values (and pairs of values) every deployer's replay measures the model on (docs/deployers.md);
    /// chosen by the organizer among the feature columns.
    /// </summary>
    public List<string> ProtectedColumns { get; set; } = [];

    /// <summary>When an organizer closed it (froze submissions and computed the payout ledger).</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>
    /// Goes up by one whenever anything the public pages show changes (a verdict, a triage decision, an award, a
    /// disclosure, the close): the cache key and live-update signal of the leaderboard. Bump it with
    /// <see cref="PublicRevision.BumpAsync"/> inside the change's transaction.
    /// </summary>
    public long Revision { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Whether it takes submissions at <paramref name="now"/>: open, and between its dates.</summary>
    public bool TakesSubmissions(DateTimeOffset now) => TakesSubmissions(Status, OpensAt, ClosesAt, now);

    /// <summary>The same rule on the three values a query selected.</summary>
    public static bool TakesSubmissions(CompetitionStatus status, DateTimeOffset opensAt, DateTimeOffset closesAt, DateTimeOffset now) =>
        status == CompetitionStatus.Open && opensAt <= now && now < closesAt;

    /// <summary>Whether the public may see it: every competition but a draft (as a query filter; see <see cref="CompetitionQueries.Public"/>).</summary>
    public static readonly Expression<Func<Competition, bool>> IsPublic = c => c.Status != CompetitionStatus.Draft;
}

public static class CompetitionQueries
{
    /// <summary>The competitions anyone may see (pages, downloads, API, leaderboard): drafts are hidden from all but their wizard.</summary>
    public static IQueryable<Competition> Public(this IQueryable<Competition> competitions) => competitions.Where(Competition.IsPublic);
}

internal sealed class CompetitionConfiguration : IEntityTypeConfiguration<Competition>
{
    public void Configure(EntityTypeBuilder<Competition> e)
    {
        e.HasIndex(c => c.Slug).IsUnique();
        e.Property(c => c.Name).HasMaxLength(200);
        e.Property(c => c.Slug).HasMaxLength(100);
        e.Property(c => c.Metric).HasConversion<string>().HasMaxLength(20);
        e.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        e.Property(c => c.Settings).AsJsonb();
        e.Property(c => c.SchemaJson).HasColumnType("jsonb");
        e.Property(c => c.RewardPool).HasPrecision(18, 2);
        e.Property(c => c.RewardCurrency).HasMaxLength(3);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(c => c.OrganizerId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne(c => c.TrainingFile).WithMany().HasForeignKey(c => c.TrainingFileId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne(c => c.HoldoutFile).WithMany().HasForeignKey(c => c.HoldoutFileId).OnDelete(DeleteBehavior.Restrict);
    }
}
