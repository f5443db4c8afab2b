using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Leaderboard;

public sealed record TeamStanding(int Rank, string Team, double Points, int AcceptedFixes, int VerifiedFindings, DateTimeOffset? LastImprovement);

public sealed record ModelVersionRow(int Version, DateTimeOffset CreatedAt, double? ErrorPercent);

public sealed record LeaderboardView(string CompetitionName, string Slug, Metric Metric, IReadOnlyList<TeamStanding> Standings, IReadOnlyList<ModelVersionRow> Versions);

/// <summary>The public leaderboard: only released facts (points, verdict counts, rounded model error per version).</summary>
public sealed class LeaderboardQuery(ApplicationDbContext db)
{
    public async Task<LeaderboardView?> ForAsync(string slug, CancellationToken ct = default)
    {
        var competition = await db.Competitions.AsNoTracking().Where(c => c.Slug == slug && c.Status != CompetitionStatus.Draft)
            .Select(c => new { c.Id, c.Name, c.Slug, c.Metric }).SingleOrDefaultAsync(ct);
        if (competition is null) return null;

        var teams = await db.Teams.AsNoTracking().Where(t => t.CompetitionId == competition.Id)
            .Select(t => new
            {
                t.Name,
                Scores = db.Scores.Where(s => s.TeamId == t.Id)
                    .Select(s => new { s.Points, s.FixAccepted, s.FindingVerified, s.CreatedAt }).ToList(),
            })
            .ToListAsync(ct);
        var standings = teams.Where(t => t.Scores.Count > 0)
            .Select(t => new
            {
                t.Name,
                Points = Math.Round(t.Scores.Sum(s => s.Points), 1),
                Fixes = t.Scores.Count(s => s.FixAccepted),
                Findings = t.Scores.Count(s => s.FindingVerified),
                Last = t.Scores.Where(s => s.Points > 0).Select(s => (DateTimeOffset?)s.CreatedAt).Max(),
            })
            .OrderByDescending(t => t.Points).ThenBy(t => t.Last ?? DateTimeOffset.MaxValue).ThenBy(t => t.Name, StringComparer.Ordinal)
            .Select((t, i) => new TeamStanding(i + 1, t.Name, t.Points, t.Fixes, t.Findings, t.Last))
            .ToArray();

        var versions = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competition.Id)
            .OrderBy(v => v.Version).Select(v => new { v.Version, v.CreatedAt, v.FeedbackLoss }).ToListAsync(ct);
        return new LeaderboardView(competition.Name, competition.Slug, competition.Metric, standings,
            versions.Select(v => new ModelVersionRow(v.Version, v.CreatedAt, double.IsFinite(v.FeedbackLoss) ? Math.Round(100 * v.FeedbackLoss, 1) : null)).ToArray());
    }
}

public static class LeaderboardExtensions
{
    public static IHostApplicationBuilder AddLeaderboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LeaderboardQuery>();
        return builder;
    }
}
