using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Teams;
namespace BiasBounty.Web.Rewards;

/// <summary>Where a team's reward is: computed at the close, approved by the organizer, then paid.</summary>
public enum PayoutState { Pending, Approved, Paid }

/// <summary>One line of a closed competition's payout ledger: a team's approved points and its share of the pool.</summary>
public class Payout
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public Guid TeamId { get; set; }

    /// <summary>The team's approved points at the close.</summary>
    public double Points { get; set; }

    /// <summary>Amount in the competition's reward currency, to the cent.</summary>
    public decimal Amount { get; set; }

    public PayoutState State { get; set; } = PayoutState.Pending;

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class PayoutConfiguration : IEntityTypeConfiguration<Payout>
{
    public void Configure(EntityTypeBuilder<Payout> e)
    {
        e.HasIndex(p => new { p.CompetitionId, p.TeamId }).IsUnique();
        e.Property(p => p.Amount).HasPrecision(18, 2);
        e.Property(p => p.State).HasConversion<string>().HasMaxLength(20);
        e.HasOne<Competition>().WithMany().HasForeignKey(p => p.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.Restrict);
    }
}
