using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Deployers;

/// <summary>
/// An organizer's invitation of a deployer to one competition, by e-mail address. The invitation is the role: a
/// signed-in user whose confirmed e-mail it names is a deployer of that competition (<see cref="DeployerAccess"/>).
/// </summary>
public class DeployerInvitation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    /// <summary>The address as the organizer typed it (trimmed).</summary>
    public required string Email { get; set; }

    /// <summary>Upper-case, as Identity normalizes it: what a user's <c>NormalizedEmail</c> is compared with.</summary>
    public required string NormalizedEmail { get; set; }

    public required string InvitedBy { get; set; }

    public DateTimeOffset InvitedAt { get; set; }
}

/// <summary>
/// A deployer's own labelled rows for one competition: private to its owner, never scored or shown to anyone else,
/// deleted with its reports by the owner or after <see cref="DeployerUploads.RetentionDays"/>.
/// </summary>
public class DeployerUpload
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    /// <summary>The deployer (Identity user id).</summary>
    public required string OwnerId { get; set; }

    public required string FileName { get; set; }

    public required byte[] Content { get; set; }

    public int Rows { get; set; }

    public DateTimeOffset UploadedAt { get; set; }

    /// <summary>When the retention clean-up deletes it (and its reports).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

public enum ReplayState { Queued, Running, Done, Failed }

/// <summary>The replay of one upload: its job's state and progress, then the report (the engine's <c>ReplayReport</c> as JSON).</summary>
public class ReplayRun
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>One replay per upload (unique): a second start is refused.</summary>
    public Guid UploadId { get; set; }

    public Guid CompetitionId { get; set; }

    public required string OwnerId { get; set; }

    public ReplayState State { get; set; } = ReplayState.Queued;

    /// <summary>Share done, 0–100.</summary>
    public int Progress { get; set; }

    /// <summary>Why it failed, in words for the deployer.</summary>
    public string? FailureReason { get; set; }

    public string? ReportJson { get; set; }

    public string? JobId { get; set; }

    public int Runs { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

internal sealed class DeployerInvitationConfiguration : IEntityTypeConfiguration<DeployerInvitation>
{
    public void Configure(EntityTypeBuilder<DeployerInvitation> e)
    {
        e.HasIndex(i => new { i.CompetitionId, i.NormalizedEmail }).IsUnique();
        e.HasIndex(i => i.NormalizedEmail);
        e.Property(i => i.Email).HasMaxLength(256);
        e.Property(i => i.NormalizedEmail).HasMaxLength(256);
        e.HasOne<Competition>().WithMany().HasForeignKey(i => i.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(i => i.InvitedBy).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DeployerUploadConfiguration : IEntityTypeConfiguration<DeployerUpload>
{
    public void Configure(EntityTypeBuilder<DeployerUpload> e)
    {
        e.HasIndex(u => new { u.OwnerId, u.CompetitionId });
        e.HasIndex(u => u.ExpiresAt);
        e.Property(u => u.FileName).HasMaxLength(260);
        e.HasOne<Competition>().WithMany().HasForeignKey(u => u.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(u => u.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReplayRunConfiguration : IEntityTypeConfiguration<ReplayRun>
{
    public void Configure(EntityTypeBuilder<ReplayRun> e)
    {
        e.HasIndex(r => r.UploadId).IsUnique();
        e.HasIndex(r => r.OwnerId);
        e.Property(r => r.State).HasConversion<string>().HasMaxLength(20);
        e.Property(r => r.JobId).HasMaxLength(100);
        e.HasOne<DeployerUpload>().WithMany().HasForeignKey(r => r.UploadId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Competition>().WithMany().HasForeignKey(r => r.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}
