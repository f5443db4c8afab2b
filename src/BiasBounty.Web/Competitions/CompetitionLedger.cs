using BiasBounty.Scoring.Engine;

namespace BiasBounty.Web.Competitions;

/// <summary>The competition's alpha-investing ledgers (jsonb) and how many nodes the decision list has accepted.</summary>
public class CompetitionLedger
{
    public Guid CompetitionId { get; set; }

    public required Ledgers Ledgers { get; set; }

    public int AcceptCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}
