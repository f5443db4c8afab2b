using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Organize;

/// <summary>
/// The competition's disclosure policy (docs/scoring-rules.md and DESIGN.md): an approved finding becomes public this many
/// days after its approval, unless the organizer discloses it earlier or withholds it on the review page.
/// </summary>
public static class DisclosureSettings
{
    public const int MaxEmbargoDays = 365;

    /// <summary>Null when <paramref name="days"/> is a valid embargo, else what is wrong with it.</summary>
    public static string? Check(int? days) => days switch
    {
        null => "Enter the embargo as a whole number of days, from 0 to 365.",
        < 0 or > MaxEmbargoDays => $"The embargo must be from 0 to {MaxEmbargoDays} days; {days} is not.",
        _ => null,
    };

    /// <summary>Saves the embargo with its audit event; returns null when saved, else the message for the organizer.</summary>
    public static async Task<string?> SaveAsync(ApplicationDbContext db, Guid competitionId, int? days, string actorId, TimeProvider time, CancellationToken ct = default)
    {
        if (Check(days) is { } problem) return problem;
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, ct);
        if (competition.DisclosureEmbargoDays == days) return null;
        var before = competition.DisclosureEmbargoDays;
        competition.DisclosureEmbargoDays = days!.Value;
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.SettingsChanged, At = time.GetUtcNow(),
            Detail = $"Disclosure embargo: {before} → {days} days.",
        });
        await db.SaveChangesAsync(ct);
        return null;
    }
}
