using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Submissions;

/// <summary>
/// What a team member sees of a submission: its state, once scored only the released view (docs/scoring-rules.md), the
/// organizer's triage decision with its note, and the sum of the organizers' award adjustments (their reasons stay with
/// the organizers' records).
/// </summary>
public sealed record SubmissionStatus(Guid Id, string CompetitionSlug, string CompetitionName, string Expression, Metric Metric, bool HasFix,
    SubmissionState State, string? FailureReason, DateTimeOffset CreatedAt, ReleasedView? Released)
{
    public bool IsFinished => State is SubmissionState.Scored or SubmissionState.Failed or SubmissionState.Refused;

    public Guid CompetitionId { get; init; }

    public Guid TeamId { get; init; }

    public TriageState Triage { get; init; } = TriageState.New;

    /// <summary>The competition's finding weight (points of a verified finding = weight × 10,000 × share × gap).</summary>
    public double FindingWeight { get; init; } = 0.25;

    /// <summary>The organizer's note on the latest triage decision.</summary>
    public string? TriageNote { get; init; }

    /// <summary>The organizers' award adjustments to this submission, summed.</summary>
    public double Adjustment { get; init; }

    /// <summary>Whether the triage decision takes the points away (Duplicate, Disqualified).</summary>
    public bool PointsForfeited => Released is not null && Triage.ForfeitsPoints();

    /// <summary>
    /// What counts on the standings: the engine's points plus the adjustments, or 0 when forfeited; null until scored.
    /// Rounded as <see cref="Rewards.TeamPoints"/> rounds.
    /// </summary>
    public double? Points => Released is not { } released ? null
        : PointsForfeited ? 0
        : Math.Round(released.Points + Adjustment, 1, MidpointRounding.AwayFromZero);

    /// <summary>Why <see cref="Points"/> is not simply the engine's: forfeited, or adjusted by the organizers; else null.</summary>
    public string? PointsReason => Released is not { } released ? null
        : PointsForfeited ? $"no points: triaged {Triage.ForParticipants()}"
        : Adjustment != 0 ? $"{Format(released.Points)} from the engine {(Adjustment > 0 ? "+" : "−")} {Format(Math.Abs(Adjustment))} awarded by the organizers"
        : null;

    private static string Format(double points) => points.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A team's submissions quota in one competition, for the "my submissions" page; a competition that is not open
/// (closed, or outside its dates: the submit slice's rule) takes none.</summary>
public sealed record TeamQuota(Guid CompetitionId, string CompetitionSlug, string CompetitionName, bool IsOpen, Guid TeamId, string TeamName, Quota Quota);

/// <summary>
/// Reads submissions for their team's CURRENT members only (a member who left no longer sees the team's submissions);
/// the internal score record is never selected.
/// </summary>
public sealed class SubmissionStatusQuery(ApplicationDbContext db, TimeProvider time)
{
    /// <summary>The submission, or null when it does not exist or the user is not in its team.</summary>
    public async Task<SubmissionStatus?> ForAsync(Guid id, string userId, CancellationToken ct = default) =>
        (await WithReleasedAsync(Visible(userId).Where(s => s.Id == id), ct)).SingleOrDefault();

    /// <summary>The user's teams' submissions, newest first.</summary>
    public Task<IReadOnlyList<SubmissionStatus>> MineAsync(string userId, int take = 100, CancellationToken ct = default) =>
        WithReleasedAsync(Visible(userId).OrderByDescending(s => s.CreatedAt).Take(take), ct);

    /// <summary>A team's submissions, newest first (after the first <paramref name="skip"/>); empty unless <paramref name="userId"/> is a member of the team.</summary>
    public Task<IReadOnlyList<SubmissionStatus>> ForTeamAsync(Guid teamId, string userId, int take = 100, CancellationToken ct = default, int skip = 0) =>
        WithReleasedAsync(Visible(userId).Where(s => s.TeamId == teamId).OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Skip(skip).Take(take), ct);

    /// <summary>Today's quota of each of the user's teams in a competition that is not a draft, newest competition first.</summary>
    public async Task<IReadOnlyList<TeamQuota>> QuotasAsync(string userId, CancellationToken ct = default)
    {
        var teams = await db.TeamMembers.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => t)
            .Join(db.Competitions.Public(), t => t.CompetitionId, c => c.Id, (t, c) => new { Team = t, Competition = c })
            .OrderByDescending(x => x.Competition.CreatedAt)
            .Select(x => new { x.Competition.Id, x.Competition.Slug, x.Competition.Name, x.Competition.Status, x.Competition.OpensAt, x.Competition.ClosesAt, x.Competition.Settings, TeamId = x.Team.Id, TeamName = x.Team.Name })
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        var quotas = new List<TeamQuota>(teams.Count);
        foreach (var t in teams)
            quotas.Add(new TeamQuota(t.Id, t.Slug, t.Name, Competitions.Competition.TakesSubmissions(t.Status, t.OpensAt, t.ClosesAt, now), t.TeamId, t.TeamName,
                await Quota.ForAsync(db, t.Id, t.TeamId, userId, t.Settings.SubmissionsPerDay, now, ct)));
        return quotas;
    }

    private IQueryable<Submission> Visible(string userId) =>
        db.Submissions.AsNoTracking().Where(s => db.TeamMembers.Any(m => m.TeamId == s.TeamId && m.UserId == userId));

    private async Task<IReadOnlyList<SubmissionStatus>> WithReleasedAsync(IQueryable<Submission> query, CancellationToken ct)
    {
        // Filters and ordering go before the projection (EF cannot translate members of a record built by its
        // constructor); the order is restored in memory because the join does not keep it.
        var rows = await query.Join(db.Competitions, s => s.CompetitionId, c => c.Id, (s, c) => new
        {
            Status = new SubmissionStatus(s.Id, c.Slug, c.Name, s.Expression, s.Metric, s.FixModelFileId != null, s.State, s.FailureReason, s.CreatedAt, null),
            s.CompetitionId, s.TeamId, s.Triage, s.TriageNote, c.Settings,
        }).ToListAsync(ct);
        var ids = rows.Where(r => r.Status.IsFinished).Select(r => r.Status.Id).ToArray();
        var released = ids.Length == 0 ? new Dictionary<Guid, ReleasedView>()
            : await db.Scores.AsNoTracking().Where(s => ids.Contains(s.SubmissionId)).ToDictionaryAsync(s => s.SubmissionId, s => s.Released, ct);
        var adjustments = ids.Length == 0 ? new Dictionary<Guid, double>()
            : await db.AwardAdjustments.Where(a => ids.Contains(a.SubmissionId)).TotalsBySubmissionAsync(ct);
        return rows.Select(r => r.Status with
            {
                Released = released.GetValueOrDefault(r.Status.Id), CompetitionId = r.CompetitionId, TeamId = r.TeamId,
                Triage = r.Triage, TriageNote = r.TriageNote, FindingWeight = r.Settings.FindingWeight, Adjustment = adjustments.GetValueOrDefault(r.Status.Id),
            })
            .OrderByDescending(s => s.CreatedAt).ToArray();
    }
}
