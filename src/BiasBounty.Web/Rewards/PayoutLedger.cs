using System.Globalization;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Rewards;

/// <summary>One team's line of the payout ledger, as the page and the CSV show it.</summary>
public sealed record PayoutLine(Guid PayoutId, Guid TeamId, string Team, double Points, decimal Amount, string Currency, PayoutState State, DateTimeOffset UpdatedAt)
{
    /// <summary>The state a payout may move to next (only forward, one step at a time), or null once paid.</summary>
    public PayoutState? Next => PayoutLedger.NextState(State);
}

/// <summary>The payout ledger of a closed competition: its lines, their forward-only states, and the CSV export.</summary>
public sealed class PayoutLedger(ApplicationDbContext db, Notifier notifier, TimeProvider time)
{
    /// <summary>Pending → Approved → Paid; nothing after Paid.</summary>
    public static PayoutState? NextState(PayoutState state) => state switch
    {
        PayoutState.Pending => PayoutState.Approved,
        PayoutState.Approved => PayoutState.Paid,
        _ => null,
    };

    /// <summary>The ledger, largest amount first (then by team name).</summary>
    public async Task<IReadOnlyList<PayoutLine>> LinesAsync(Guid competitionId, CancellationToken ct = default)
    {
        var currency = await db.Competitions.Where(c => c.Id == competitionId).Select(c => c.RewardCurrency).SingleAsync(ct);
        var lines = await db.Payouts.AsNoTracking().Where(p => p.CompetitionId == competitionId)
            .Join(db.Teams, p => p.TeamId, t => t.Id, (p, t) => new { p.Id, p.TeamId, t.Name, p.Points, p.Amount, p.State, p.UpdatedAt })
            .ToListAsync(ct);
        return lines.Select(l => new PayoutLine(l.Id, l.TeamId, l.Name, l.Points, l.Amount, currency, l.State, l.UpdatedAt))
            .OrderByDescending(l => l.Amount).ThenBy(l => l.Team, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Moves one payout to <paramref name="next"/>, which must be the state after its current one; writes the audit event
    /// and tells the team. Returns null on success, else why not.
    /// </summary>
    public async Task<string?> MoveAsync(Guid competitionId, Guid payoutId, PayoutState next, string actorId, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CompetitionLock.AcquireAsync(db, competitionId, ct);
        var payout = await db.Payouts.SingleOrDefaultAsync(p => p.Id == payoutId && p.CompetitionId == competitionId, ct);
        if (payout is null) return "There is no such payout in this competition.";
        if (NextState(payout.State) != next)
            return $"A {payout.State.ToString().ToLowerInvariant()} payout cannot become {next.ToString().ToLowerInvariant()}: " +
                   "payouts only move forward, from pending to approved to paid.";
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == competitionId, ct);
        var team = await db.Teams.Where(t => t.Id == payout.TeamId).Select(t => t.Name).SingleAsync(ct);
        var previous = payout.State;
        var now = time.GetUtcNow();
        payout.State = next;
        payout.UpdatedAt = now;
        var amount = Money.Format(payout.Amount, competition.RewardCurrency);
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.PayoutChanged, At = now,
            Detail = $"Payout of {amount} to {team}: {previous} → {next}.",
        });
        await notifier.TellTeamAsync(payout.TeamId, new TeamMessage(competitionId, null, Notification.Reward,
            next == PayoutState.Paid ? $"Your reward from {competition.Name} has been paid" : $"Your reward from {competition.Name} is approved",
            next == PayoutState.Paid
                ? $"The organizers have paid your team's reward of {amount}."
                : $"The organizers have approved your team's reward of {amount}; it will be paid next.",
            $"competitions/{competition.Slug}/leaderboard"), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// The ledger as CSV. Team names are participants' text: a cell that a spreadsheet would run as a formula
    /// (=, +, -, @, tab, carriage return first) is escaped with a leading apostrophe.
    /// </summary>
    public static byte[] ToCsv(IEnumerable<PayoutLine> lines)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvOptions, leaveOpen: true))
        {
            csv.WriteHeader(["team", "approved_points", "amount", "currency", "state", "updated_at"]);
            foreach (var l in lines)
                csv.WriteRecord(l.Team, l.Points.ToString("0.0", CultureInfo.InvariantCulture), l.Amount.ToString("0.00", CultureInfo.InvariantCulture),
                    l.Currency, l.State.ToString(), l.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }
        return buffer.ToArray();
    }

    private static readonly CsvWriterOptions CsvOptions = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };
}
