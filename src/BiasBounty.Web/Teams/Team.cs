using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Teams;

/// <summary>A team in one competition; submission limits and points count per team.</summary>
public class Team
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public required string Name { get; set; }

    /// <summary>What a member gives a friend to join; unique.</summary>
    public string InviteCode { get; set; } = NewInviteCode();

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public List<TeamMember> Members { get; set; } = [];

    /// <summary>Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L).</summary>
    public static string NewInviteCode() => RandomNumberGenerator.GetString("23456789ABCDEFGHJKMNPQRSTUVWXYZ", 10);
}

/// <summary>A user's membership; a user is in at most one team per competition.</summary>
public class TeamMember
{
    public Guid TeamId { get; set; }

    public Guid CompetitionId { get; set; }

    public required string UserId { get; set; }

    public DateTimeOffset JoinedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> e)
    {
        e.HasIndex(t => t.InviteCode).IsUnique();
        e.HasIndex(t => new { t.CompetitionId, t.Name }).IsUnique();
        e.Property(t => t.Name).HasMaxLength(100);
        e.Property(t => t.InviteCode).HasMaxLength(20);
        e.HasOne<Competition>().WithMany().HasForeignKey(t => t.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<TeamMember> e)
    {
        e.HasKey(m => new { m.TeamId, m.UserId });
        e.HasIndex(m => new { m.CompetitionId, m.UserId }).IsUnique();
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
