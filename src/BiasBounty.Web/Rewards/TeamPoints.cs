using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Rewards;

/// <summary>
/// A team's points in a competition: the engine's points of each submission plus the organizers' adjustments to it.
/// <see cref="Points"/> is what the standings show (a submission triaged Duplicate or Disqualified counts nothing);
/// <see cref="ApprovedPoints"/> counts approved submissions only, and is what the reward pool is split by (docs/scoring-rules.md).
/// </summary>
public sealed record TeamPoints(Guid TeamId, double Points, double ApprovedPoints)
{
    /// <summary>Every team of the competition that has a scored submission or an adjustment, by team id.</summary>
    public static async Task<IReadOnlyDictionary<Guid, TeamPoints>> ForCompetitionAsync(ApplicationDbContext db, Guid competitionId, CancellationToken ct = default)
    {
        var scored = await db.Scores.AsNoTracking().Where(s => s.CompetitionId == competitionId)
            .Join(db.Submissions, s => s.SubmissionId, x => x.Id, (s, x) => new { s.SubmissionId, s.TeamId, s.Points, x.Triage })
            .ToListAsync(ct);
        var adjustments = await db.AwardAdjustments.Where(a => a.CompetitionId == competitionId).TotalsBySubmissionAsync(ct);
        return scored
            .Select(s => new { s.TeamId, s.Triage, Total = s.Points + adjustments.GetValueOrDefault(s.SubmissionId) })
            .GroupBy(s => s.TeamId)
            .ToDictionary(g => g.Key, g => new TeamPoints(
                g.Key,
                Round(g.Where(s => !s.Triage.ForfeitsPoints()).Sum(s => s.Total)),
                Round(g.Where(s => s.Triage == TriageState.Approved).Sum(s => s.Total))));
    }

    /// <summary>Points are shown and split to one decimal, never below zero for a team.</summary>
    public static double Round(double points) => Math.Max(0, Math.Round(points, 1, MidpointRounding.AwayFromZero));
}
