using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Submissions;

/// <summary>A team's submissions today (UTC) against the competition's daily limit.</summary>
public sealed record Quota(int Limit, int Used)
{
    public int Remaining => Math.Max(0, Limit - Used);

    public bool Exhausted => Remaining == 0;

    public override string ToString() => $"{Remaining} of {Limit} submissions left today (UTC)";

    /// <summary>
    /// Counts the team's submissions since midnight UTC, and <paramref name="userId"/>'s own in any team of the
    /// competition (so leaving a team for a fresh one buys no extra probes of the holdout); failed ones do not count.
    /// </summary>
    public static async Task<Quota> ForAsync(ApplicationDbContext db, Guid competitionId, Guid? teamId, string? userId, int limit, DateTimeOffset now,
        CancellationToken ct = default)
    {
        if (teamId is null && userId is null) return new Quota(limit, 0);
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var used = await db.Submissions.CountAsync(s => s.CompetitionId == competitionId && (s.TeamId == teamId || s.UserId == userId)
            && s.CreatedAt >= dayStart && s.State != SubmissionState.Failed, ct);
        return new Quota(limit, used);
    }
}
