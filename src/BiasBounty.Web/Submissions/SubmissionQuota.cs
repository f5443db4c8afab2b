using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Submissions;

/// <summary>A team's submissions today (UTC) against the competition's daily limit.</summary>
public sealed record Quota(int Limit, int Used)
{
    public int Remaining => Math.Max(0, Limit - Used);

    public bool Exhausted => Remaining == 0;

    /// <summary>When the count starts again: the next midnight UTC.</summary>
    public DateTimeOffset ResetsAt { get; init; }

    /// <summary>The next midnight UTC after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextReset(DateTimeOffset now) => new(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

    public override string ToString() => ResetsAt == default
        ? $"{Remaining} of {Limit} submissions left today (UTC)"
        : $"{Remaining} of {Limit} submissions left today; the count resets at {ResetsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC";

    /// <summary>
    /// Counts the team's submissions since midnight UTC, and <paramref name="userId"/>'s own in any team of the
    /// competition (so leaving a team for a fresh one buys no extra probes of the holdout); failed ones do not count.
    /// </summary>
    public static async Task<Quota> ForAsync(ApplicationDbContext db, Guid competitionId, Guid? teamId, string? userId, int limit, DateTimeOffset now,
        CancellationToken ct = default)
    {
        var resetsAt = NextReset(now);
        if (teamId is null && userId is null) return new Quota(limit, 0) { ResetsAt = resetsAt };
        var dayStart = resetsAt.AddDays(-1);
        var used = await db.Submissions.CountAsync(s => s.CompetitionId == competitionId && (s.TeamId == teamId || s.UserId == userId)
            && s.CreatedAt >= dayStart && s.State != SubmissionState.Failed, ct);
        return new Quota(limit, used) { ResetsAt = resetsAt };
    }
}
