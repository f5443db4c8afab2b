using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Persistence;

/// <summary>
/// The one unit of work every feature shares. Each feature configures its own tables with
/// <see cref="IEntityTypeConfiguration{TEntity}"/> classes beside its entities, found here by assembly scan; the
/// <see cref="DbSet{TEntity}"/> properties below are the only place this folder names a feature's type.
/// </summary>
public class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>How engine records are stored in jsonb columns (the engine's own types round-trip through it).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public DbSet<Competitions.Competition> Competitions => Set<Competitions.Competition>();
    public DbSet<Competitions.StoredFile> StoredFiles => Set<Competitions.StoredFile>();
    public DbSet<Competitions.DecisionListVersion> DecisionListVersions => Set<Competitions.DecisionListVersion>();
    public DbSet<Competitions.CompetitionLedger> Ledgers => Set<Competitions.CompetitionLedger>();
    public DbSet<Competitions.SystemVersion> SystemVersions => Set<Competitions.SystemVersion>();
    public DbSet<Teams.Team> Teams => Set<Teams.Team>();
    public DbSet<Teams.TeamMember> TeamMembers => Set<Teams.TeamMember>();
    public DbSet<Submissions.Submission> Submissions => Set<Submissions.Submission>();
    public DbSet<Submissions.SubmissionScore> Scores => Set<Submissions.SubmissionScore>();
    public DbSet<Submissions.PointsEntry> Points => Set<Submissions.PointsEntry>();
    public DbSet<Submissions.AwardAdjustment> AwardAdjustments => Set<Submissions.AwardAdjustment>();
    public DbSet<Submissions.FindingRetest> FindingRetests => Set<Submissions.FindingRetest>();
    public DbSet<Audit.AuditEvent> AuditEvents => Set<Audit.AuditEvent>();
    public DbSet<Accounts.OutboxEmail> Outbox => Set<Accounts.OutboxEmail>();
    public DbSet<Rewards.Payout> Payouts => Set<Rewards.Payout>();
    public DbSet<Notifications.Notification> Notifications => Set<Notifications.Notification>();
    public DbSet<Api.ApiToken> ApiTokens => Set<Api.ApiToken>();
    public DbSet<Deployers.DeployerInvitation> DeployerInvitations => Set<Deployers.DeployerInvitation>();
    public DbSet<Deployers.DeployerUpload> DeployerUploads => Set<Deployers.DeployerUpload>();
    public DbSet<Deployers.ReplayRun> ReplayRuns => Set<Deployers.ReplayRun>();
    public DbSet<ServiceCards.ServiceCard> ServiceCards => Set<ServiceCards.ServiceCard>();
    public DbSet<ServiceCards.ServiceCardNotes> ServiceCardNotes => Set<ServiceCards.ServiceCardNotes>();

    /// <summary>The key ring that protects sign-in cookies, antiforgery tokens and e-mailed links, shared by every web process.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ApplicationDbContext).Assembly);
    }
}
