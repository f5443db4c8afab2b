using System.Text.Json;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Api;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Persistence;

public class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    /// <summary>How engine records are stored in jsonb columns (the engine's own types round-trip through it).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public DbSet<Competition> Competitions => Set<Competition>();
    public DbSet<StoredFile> StoredFiles => Set<StoredFile>();
    public DbSet<DecisionListVersion> DecisionListVersions => Set<DecisionListVersion>();
    public DbSet<CompetitionLedger> Ledgers => Set<CompetitionLedger>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<SubmissionScore> Scores => Set<SubmissionScore>();
    public DbSet<PointsEntry> Points => Set<PointsEntry>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<OutboxEmail> Outbox => Set<OutboxEmail>();
    public DbSet<AwardAdjustment> AwardAdjustments => Set<AwardAdjustment>();
    public DbSet<Payout> Payouts => Set<Payout>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    /// <summary>Longest organizer note (triage note, withholding reason).</summary>
    public const int MaxNoteLength = 2000;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Competition>(e =>
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
        });

        builder.Entity<StoredFile>(e =>
        {
            e.HasIndex(f => new { f.CompetitionId, f.Kind, f.ContentHash }).IsUnique();
            e.Property(f => f.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(f => f.ContentHash).HasMaxLength(64).IsFixedLength();
            e.Property(f => f.FileName).HasMaxLength(260);
            e.Property(f => f.LoadSchemaJson).HasColumnType("jsonb");
            e.HasOne<Competition>().WithMany().HasForeignKey(f => f.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DecisionListVersion>(e =>
        {
            e.HasIndex(v => new { v.CompetitionId, v.Version }).IsUnique();
            e.HasOne<Competition>().WithMany().HasForeignKey(v => v.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<CompetitionLedger>(e =>
        {
            e.HasKey(l => l.CompetitionId);
            e.Property(l => l.Ledgers).AsJsonb();
            e.HasOne<Competition>().WithOne().HasForeignKey<CompetitionLedger>(l => l.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Team>(e =>
        {
            e.HasIndex(t => t.InviteCode).IsUnique();
            e.HasIndex(t => new { t.CompetitionId, t.Name }).IsUnique();
            e.Property(t => t.Name).HasMaxLength(100);
            e.Property(t => t.InviteCode).HasMaxLength(20);
            e.HasOne<Competition>().WithMany().HasForeignKey(t => t.CompetitionId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<TeamMember>(e =>
        {
            e.HasKey(m => new { m.TeamId, m.UserId });
            e.HasIndex(m => new { m.CompetitionId, m.UserId }).IsUnique();
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Submission>(e =>
        {
            e.HasIndex(s => new { s.CompetitionId, s.CreatedAt });
            e.HasIndex(s => new { s.TeamId, s.CreatedAt });
            e.Property(s => s.Expression).HasMaxLength(4000);
            e.Property(s => s.Metric).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.State).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.FailureReason).HasMaxLength(2000);
            e.Property(s => s.ScoringJobId).HasMaxLength(100);
            // The sweep looks for unfinished submissions only: a partial index keeps that lookup small forever.
            e.HasIndex(s => s.CreatedAt).HasFilter("\"State\" IN ('Queued', 'Scoring')").HasDatabaseName("IX_Submissions_Unfinished");
            e.Property(s => s.Triage).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.TriageNote).HasMaxLength(MaxNoteLength);
            e.Property(s => s.WithheldReason).HasMaxLength(MaxNoteLength);
            e.HasIndex(s => new { s.CompetitionId, s.Triage });
            e.HasOne<Submission>().WithMany().HasForeignKey(s => s.DuplicateOfId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.TriagedById).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Competition>().WithMany().HasForeignKey(s => s.CompetitionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(s => s.FixModelFile).WithMany().HasForeignKey(s => s.FixModelFileId).OnDelete(DeleteBehavior.Restrict);
            e.Ignore(s => s.IsFinished);
        });

        builder.Entity<SubmissionScore>(e =>
        {
            e.HasKey(s => s.SubmissionId);
            e.HasIndex(s => new { s.CompetitionId, s.MaskHash });
            e.Property(s => s.Record).AsJsonb();
            e.Property(s => s.Released).AsJsonb();
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.MaskHash).HasMaxLength(64);
            e.HasOne<Submission>().WithOne().HasForeignKey<SubmissionScore>(s => s.SubmissionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<PointsEntry>(e =>
        {
            e.HasIndex(p => p.SubmissionId).IsUnique(); // points are earned once per submission, whatever retries happen
            e.HasIndex(p => new { p.CompetitionId, p.TeamId });
            e.HasOne<Submission>().WithMany().HasForeignKey(p => p.SubmissionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<AuditEvent>(e =>
        {
            e.HasIndex(a => new { a.SubmissionId, a.At });
            e.HasIndex(a => new { a.CompetitionId, a.At });
            e.Property(a => a.Kind).HasMaxLength(50);
            e.Property(a => a.FromState).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.ToState).HasConversion<string>().HasMaxLength(20);
        });

        builder.Entity<AwardAdjustment>(e =>
        {
            e.HasIndex(a => new { a.CompetitionId, a.TeamId });
            e.HasIndex(a => a.SubmissionId);
            e.Property(a => a.Reason).HasMaxLength(AwardAdjustment.MaxReasonLength);
            e.HasOne<Competition>().WithMany().HasForeignKey(a => a.CompetitionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Submission>().WithMany().HasForeignKey(a => a.SubmissionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.ActorId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Payout>(e =>
        {
            e.HasIndex(p => new { p.CompetitionId, p.TeamId }).IsUnique();
            e.Property(p => p.Amount).HasPrecision(18, 2);
            e.Property(p => p.State).HasConversion<string>().HasMaxLength(20);
            e.HasOne<Competition>().WithMany().HasForeignKey(p => p.CompetitionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Notification>(e =>
        {
            e.HasIndex(n => new { n.UserId, n.CreatedAt });
            e.Property(n => n.Kind).HasMaxLength(20);
            e.Property(n => n.Title).HasMaxLength(300);
            e.Property(n => n.Body).HasMaxLength(4000);
            e.Property(n => n.Link).HasMaxLength(500);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApiToken>(e =>
        {
            e.HasIndex(t => t.Prefix).IsUnique();
            e.HasIndex(t => new { t.UserId, t.CreatedAt });
            e.Property(t => t.Name).HasMaxLength(PersonalAccessTokens.MaxNameLength);
            e.Property(t => t.Prefix).HasMaxLength(ApiTokenText.PrefixLength);
            e.Property(t => t.Hash).HasMaxLength(32);
            e.Property(t => t.SecurityStamp).HasMaxLength(256);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<OutboxEmail>(e =>
        {
            e.ToTable("EmailOutbox");
            e.Property(m => m.To).HasMaxLength(320);
            e.Property(m => m.Subject).HasMaxLength(300);
            e.Property(m => m.LastError).HasMaxLength(OutboxEmail.LastErrorMaxLength);
            e.HasIndex(m => m.CreatedAt).HasFilter("\"SentAt\" IS NULL").HasDatabaseName("IX_EmailOutbox_Unsent");
        });
    }
}

internal static class JsonbPropertyExtensions
{
    /// <summary>Stores a value as jsonb through System.Text.Json, compared by its JSON text.</summary>
    public static PropertyBuilder<T> AsJsonb<T>(this PropertyBuilder<T> property) where T : class =>
        property.HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, ApplicationDbContext.Json),
            s => JsonSerializer.Deserialize<T>(s, ApplicationDbContext.Json)!,
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, ApplicationDbContext.Json) == JsonSerializer.Serialize(b, ApplicationDbContext.Json),
                v => JsonSerializer.Serialize(v, ApplicationDbContext.Json).GetHashCode(),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, ApplicationDbContext.Json), ApplicationDbContext.Json)!));
}
