using BiasBounty.Scoring.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Competitions;

/// <summary>The competition's alpha-investing ledgers (jsonb) and how many nodes the decision list has accepted.</summary>
public class CompetitionLedger
{
    public Guid CompetitionId { get; set; }

    public required Ledgers Ledgers { get; set; }

    public int AcceptCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class CompetitionLedgerConfiguration : IEntityTypeConfiguration<CompetitionLedger>
{
    public void Configure(EntityTypeBuilder<CompetitionLedger> e)
    {
        e.HasKey(l => l.CompetitionId);
        e.Property(l => l.Ledgers).AsJsonb();
        e.HasOne<Competition>().WithOne().HasForeignKey<CompetitionLedger>(l => l.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}
