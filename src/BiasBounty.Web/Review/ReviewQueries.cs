using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Review;

/// <summary>Which submissions the triage queue lists: a triage state (null: all), a team, text in the expression, least points.</summary>
public sealed record TriageFilter(TriageState? State = TriageState.Scored, Guid? TeamId = null, string? Expression = null, double? MinPoints = null);

/// <summary>One line of the triage queue. <see cref="Points"/> is the engine's points plus adjustments (null: not scored).</summary>
public sealed record TriageRowModel(
    Guid Id, Guid TeamId, string Team, string Expression, SubmissionState State, TriageState Triage, double? Points,
    bool NearDuplicate, DateTimeOffset CreatedAt);

/// <summary>A submission as shown on either side of a near-duplicate comparison.</summary>
public sealed record ComparedSubmission(Guid Id, string Team, string Expression, DateTimeOffset CreatedAt, TriageState Triage, ScoreRecord? Record);

/// <summary>This submission beside an earlier one the engine found (nearly) the same group as; Jaccard 1 for the same group.</summary>
public sealed record NearDuplicatePair(ComparedSubmission This, ComparedSubmission Earlier, double Jaccard, bool SameGroup);

/// <summary>An award adjustment as the history shows it.</summary>
public sealed record AdjustmentLine(DateTimeOffset At, double Delta, string Reason, string? Actor);

/// <summary>An earlier submission a duplicate may point at.</summary>
public sealed record EarlierSubmission(Guid Id, string Team, string Expression, DateTimeOffset CreatedAt);

/// <summary>Everything the review page shows about one submission.</summary>
public sealed record ReviewDetail(
    Submission Submission, string Team, SubmissionScore? Score, IReadOnlyList<AdjustmentLine> Adjustments,
    IReadOnlyList<EarlierSubmission> Earlier, IReadOnlyList<NearDuplicatePair> NearDuplicates, Guid? SuggestedOriginal)
{
    /// <summary>The submission's points after adjustments, as the standings count them before triage.</summary>
    public double TotalPoints => Math.Round((Score?.Points ?? 0) + Adjustments.Sum(a => a.Delta), 1, MidpointRounding.AwayFromZero);
}

/// <summary>The reads behind the triage queue and the review page (organizer pages only: they include the internal record).</summary>
public sealed class ReviewQueries(ApplicationDbContext db)
{
    /// <summary>How many earlier submissions the duplicate picker offers (the newest first).</summary>
    public const int EarlierLimit = 200;

    public async Task<IReadOnlyList<TriageRowModel>> QueueAsync(Guid competitionId, TriageFilter filter, CancellationToken ct = default)
    {
        var submissions = db.Submissions.AsNoTracking().Where(s => s.CompetitionId == competitionId);
        if (filter.State is { } state) submissions = submissions.Where(s => s.Triage == state);
        if (filter.TeamId is { } teamId) submissions = submissions.Where(s => s.TeamId == teamId);
        if (filter.Expression is { Length: > 0 } text)
            submissions = submissions.Where(s => EF.Functions.ILike(s.Expression, "%" + EscapeLike(text.Trim()) + "%", "\\"));
        var rows = await (
            from s in submissions
            join t in db.Teams on s.TeamId equals t.Id
            join score in db.Scores on s.Id equals score.SubmissionId into scores
            from score in scores.DefaultIfEmpty()
            orderby s.CreatedAt
            select new { s.Id, s.TeamId, Team = t.Name, s.Expression, s.State, s.Triage, s.CreatedAt, NearDuplicate = score != null && score.NearDuplicate, Points = score == null ? (double?)null : score.Points })
            .ToListAsync(ct);
        var adjustments = await db.AwardAdjustments.Where(a => a.CompetitionId == competitionId).TotalsBySubmissionAsync(ct);
        return rows
            .Select(r => new TriageRowModel(r.Id, r.TeamId, r.Team, r.Expression, r.State, r.Triage,
                r.Points is { } p ? Math.Round(p + adjustments.GetValueOrDefault(r.Id), 1, MidpointRounding.AwayFromZero) : adjustments.TryGetValue(r.Id, out var a) ? a : null,
                r.NearDuplicate, r.CreatedAt))
            .Where(r => filter.MinPoints is not { } least || r.Points >= least)
            .ToList();
    }

    public async Task<IReadOnlyList<(Guid Id, string Name)>> TeamsAsync(Guid competitionId, CancellationToken ct = default) =>
        (await db.Teams.AsNoTracking().Where(t => t.CompetitionId == competitionId).OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct))
        .Select(t => (t.Id, t.Name)).ToList();

    public async Task<ReviewDetail?> DetailAsync(Guid competitionId, Guid submissionId, CancellationToken ct = default)
    {
        var found = await (
            from s in db.Submissions.AsNoTracking()
            where s.Id == submissionId && s.CompetitionId == competitionId
            join t in db.Teams on s.TeamId equals t.Id
            join score in db.Scores on s.Id equals score.SubmissionId into scores
            from score in scores.DefaultIfEmpty()
            select new { Submission = s, Team = t.Name, Score = score }).SingleOrDefaultAsync(ct);
        if (found is null) return null;
        var submission = found.Submission;

        var adjustments = await (
            from a in db.AwardAdjustments.AsNoTracking()
            where a.SubmissionId == submissionId
            join u in db.Users on a.ActorId equals u.Id into actors
            from u in actors.DefaultIfEmpty()
            orderby a.At
            select new AdjustmentLine(a.At, a.Delta, a.Reason, u == null ? null : u.DisplayName)).ToListAsync(ct);
        var earlier = await (
            from s in db.Submissions.AsNoTracking()
            where s.CompetitionId == competitionId && s.CreatedAt < submission.CreatedAt && s.Id != submissionId
            join t in db.Teams on s.TeamId equals t.Id
            orderby s.CreatedAt descending
            select new EarlierSubmission(s.Id, t.Name, s.Expression, s.CreatedAt)).Take(EarlierLimit).ToListAsync(ct);

        var record = found.Score?.Record;
        var others = Others(record);
        var pairs = new List<NearDuplicatePair>();
        if (others.Count > 0)
        {
            var ids = others.Select(o => o.Id).ToArray();
            var compared = await (
                from s in db.Submissions.AsNoTracking()
                where ids.Contains(s.Id) && s.CompetitionId == competitionId
                join t in db.Teams on s.TeamId equals t.Id
                join score in db.Scores on s.Id equals score.SubmissionId into scores
                from score in scores.DefaultIfEmpty()
                select new ComparedSubmission(s.Id, t.Name, s.Expression, s.CreatedAt, s.Triage, score == null ? null : score.Record)).ToListAsync(ct);
            var self = new ComparedSubmission(submission.Id, found.Team, submission.Expression, submission.CreatedAt, submission.Triage, record);
            pairs.AddRange(others.Join(compared, o => o.Id, c => c.Id, (o, c) => new NearDuplicatePair(self, c, o.Jaccard, o.SameGroup)));
        }
        var suggested = submission.DuplicateOfId ?? others.Select(o => (Guid?)o.Id).FirstOrDefault(id => earlier.Any(e => e.Id == id));
        return new ReviewDetail(submission, found.Team, found.Score, adjustments, earlier, pairs, suggested);
    }


    /// <summary>The submissions the engine compared this one to: the exact duplicate first (Jaccard 1), then the near ones.</summary>
    private static List<(Guid Id, double Jaccard, bool SameGroup)> Others(ScoreRecord? record)
    {
        var others = new List<(Guid Id, double Jaccard, bool SameGroup)>();
        if (record is null) return others;
        if (Guid.TryParse(record.DuplicateOf, out var original)) others.Add((original, 1, true));
        foreach (var near in record.NearDuplicates)
            if (Guid.TryParse(near.SubmissionId, out var id) && others.All(o => o.Id != id)) others.Add((id, near.Jaccard, false));
        return others;
    }

    /// <summary>Escapes LIKE's wildcards so the organizer's text is matched literally.</summary>
    internal static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
