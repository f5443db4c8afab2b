using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Submissions;

/// <summary>What a team member sees of a submission: its state and, once scored, only the released view (SCORING.md §6).</summary>
public sealed record SubmissionStatus(Guid Id, string CompetitionSlug, string CompetitionName, string Expression, Metric Metric, bool HasFix,
    SubmissionState State, string? FailureReason, DateTimeOffset CreatedAt, ReleasedView? Released)
{
    public bool IsFinished => State is SubmissionState.Scored or SubmissionState.Failed or SubmissionState.Refused;
}

/// <summary>Reads submissions for their team's members only; the internal score record is never selected.</summary>
public sealed class SubmissionStatusQuery(ApplicationDbContext db)
{
    /// <summary>The submission, or null when it does not exist or the user is not in its team.</summary>
    public async Task<SubmissionStatus?> ForAsync(Guid id, string userId, CancellationToken ct = default) =>
        (await WithReleasedAsync(Visible(userId).Where(s => s.Id == id), ct)).SingleOrDefault();

    /// <summary>The user's teams' submissions, newest first.</summary>
    public async Task<IReadOnlyList<SubmissionStatus>> MineAsync(string userId, int take = 100, CancellationToken ct = default) =>
        (await WithReleasedAsync(Visible(userId).OrderByDescending(s => s.CreatedAt).Take(take), ct)).OrderByDescending(s => s.CreatedAt).ToArray();

    private IQueryable<Submission> Visible(string userId) =>
        db.Submissions.AsNoTracking().Where(s => db.TeamMembers.Any(m => m.TeamId == s.TeamId && m.UserId == userId));

    private async Task<IReadOnlyList<SubmissionStatus>> WithReleasedAsync(IQueryable<Submission> query, CancellationToken ct)
    {
        // Filters and ordering go before the projection: EF cannot translate members of a record built by its constructor.
        var rows = await query.Join(db.Competitions, s => s.CompetitionId, c => c.Id, (s, c) => new SubmissionStatus(
            s.Id, c.Slug, c.Name, s.Expression, s.Metric, s.FixModelFileId != null, s.State, s.FailureReason, s.CreatedAt, null)).ToListAsync(ct);
        var ids = rows.Where(r => r.IsFinished).Select(r => r.Id).ToArray();
        var released = ids.Length == 0 ? new Dictionary<Guid, ReleasedView>()
            : await db.Scores.AsNoTracking().Where(s => ids.Contains(s.SubmissionId)).ToDictionaryAsync(s => s.SubmissionId, s => s.Released, ct);
        return rows.Select(r => released.TryGetValue(r.Id, out var view) ? r with { Released = view } : r).ToArray();
    }
}
