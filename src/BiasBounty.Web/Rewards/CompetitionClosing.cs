using System.Globalization;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Rewards;

/// <summary>What the organizer is told after trying to close: whether it closed, and a sentence saying what happened.</summary>
public sealed record CloseOutcome(bool Closed, string Message);

/// <summary>
/// Work that follows a close once it has committed, registered by features above this one (the final version's service
/// card): it must be quick (enqueue a job) and its failure never undoes the close.
/// </summary>
public interface ICloseFollowUp
{
    void AfterClose(Guid competitionId);
}

/// <summary>
/// Closes a competition (docs/scoring-rules.md): freezes submissions, splits the reward pool among the teams in proportion to
/// their approved points and writes the payout ledger, tells each paid team, and moves the public revision. Everything
/// happens in one transaction under the competition's advisory lock, so no scoring decision lands half-way through.
/// Submissions already queued are still scored after the close; they no longer change the payouts.
/// </summary>
public sealed class CompetitionClosing(
    ApplicationDbContext db, Notifier notifier, TimeProvider time, IEnumerable<ICloseFollowUp> followUps, ILogger<CompetitionClosing> logger)
{
    public async Task<CloseOutcome> CloseAsync(Guid competitionId, string actorId, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CompetitionLock.AcquireAsync(db, competitionId, ct);
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, ct);
        if (competition.Status == CompetitionStatus.Closed)
            return new(false, $"This competition was already closed on {Money.Date(competition.ClosedAt)}; it cannot be closed twice.");
        if (competition.Status != CompetitionStatus.Open) return new(false, "Only an open competition can be closed.");

        var now = time.GetUtcNow();
        var points = await TeamPoints.ForCompetitionAsync(db, competitionId, ct);
        var amounts = PoolSplit.Split(competition.RewardPool, points.Select(p => KeyValuePair.Create(p.Key, p.Value.ApprovedPoints)));
        var teamNames = await db.Teams.Where(t => t.CompetitionId == competitionId).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        foreach (var (teamId, amount) in amounts)
        {
            var approved = points[teamId].ApprovedPoints;
            db.Payouts.Add(new Payout { CompetitionId = competitionId, TeamId = teamId, Points = approved, Amount = amount, CreatedAt = now, UpdatedAt = now });
            await notifier.TellTeamAsync(teamId, new TeamMessage(competitionId, null, Notification.Reward,
                $"{competition.Name} has closed: your team's reward",
                $"Your team's {approved.ToString("N1", CultureInfo.InvariantCulture)} approved points earn " +
                $"{Money.Format(amount, competition.RewardCurrency)} of the {Money.Format(competition.RewardPool, competition.RewardCurrency)} pool. " +
                "The payout is pending until the organizers approve and pay it; you will hear from us at each step.",
                $"competitions/{competition.Slug}/leaderboard"), ct);
        }

        competition.Status = CompetitionStatus.Closed;
        competition.ClosedAt = now;
        var summary = amounts.Count == 0
            ? "No team had approved points, so nothing was paid out of the pool."
            : $"The pool of {Money.Format(competition.RewardPool, competition.RewardCurrency)} was split among {amounts.Count} " +
              $"team{(amounts.Count == 1 ? "" : "s")} by approved points: " +
              string.Join(", ", amounts.OrderByDescending(a => a.Value).Select(a => $"{teamNames.GetValueOrDefault(a.Key, "?")} {Money.Format(a.Value, competition.RewardCurrency)}")) + ".";
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.CompetitionClosed, At = now,
            Detail = "Closed; new submissions are refused. " + summary,
        });
        await db.SaveChangesAsync(ct);
        await PublicRevision.BumpAsync(db, competitionId, ct);
        await tx.CommitAsync(ct);
        foreach (var followUp in followUps)
        {
            try
            {
                followUp.AfterClose(competitionId);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A follow-up of closing competition {CompetitionId} failed; the competition is closed", competitionId);
            }
        }
        return new(true, "The competition is closed and new submissions are refused. " + summary);
    }
}
