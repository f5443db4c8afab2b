using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Leaderboard;

/// <summary>A closed competition's reward for one team.</summary>
public sealed record Reward(decimal Amount, string Currency);

public sealed record TeamStanding(int Rank, string Team, double Points, int AcceptedFixes, int VerifiedFindings, int FirstFound, Reward? Reward);

/// <summary>
/// One published model version; <see cref="Team"/> and <see cref="Group"/> are set for the version an accepted fix made.
/// For an evaluation-table competition, one version of the measured system: <see cref="Note"/> is what the organizer
/// said changed ("retrained on noisy data").
/// </summary>
public sealed record ModelVersionRow(int Version, DateTimeOffset CreatedAt, double? ErrorPercent, string? Team = null, string? Group = null, string? Note = null);

/// <summary>
/// A disclosed verified finding's gap on one system version, in released terms: the feedback part's noisy group and rest
/// rates rounded to 0.1 % (null when the group is too small to release), the confirmation part's effect band and
/// whether the finding's test still passes. <see cref="Tested"/> is false while the re-test job has not run.
/// </summary>
public sealed record GapAtVersion(int Version, bool Tested, double? GroupPercent, double? RestPercent, string? GapBand, bool Significant)
{
    /// <summary>Group minus rest in percentage points, from the released (rounded) rates.</summary>
    public double? GapPoints => GroupPercent - RestPercent is { } gap ? Math.Round(gap, 1) : null;
}

/// <summary>One disclosed verified finding and its gap on each system version, v0 first.</summary>
public sealed record GroupGapRow(string Expression, string Team, IReadOnlyList<GapAtVersion> Versions);

/// <summary>
/// "Did the retrain close the gap?" for an evaluation-table competition: each disclosed finding's gap by system version,
/// and how many verified findings are re-tested without being shown (not disclosed yet).
/// </summary>
public sealed record SystemGapsView(IReadOnlyList<GroupGapRow> Groups, int UndisclosedFindings, int SystemVersions);

/// <summary>Teams × columns: how many of each team's scored submissions use each column.</summary>
public sealed record HeatMapView(IReadOnlyList<string> Features, IReadOnlyList<HeatMapRow> Rows)
{
    public int Max => Rows.SelectMany(r => r.Counts).DefaultIfEmpty(0).Max();
}

/// <summary><see cref="Counts"/> line up with <see cref="HeatMapView.Features"/>; the share is accepted fixes / scored submissions, in %.</summary>
public sealed record HeatMapRow(string Team, IReadOnlyList<int> Counts, int Submissions, double AcceptedSharePercent);

/// <summary>A disclosed finding, in released terms only: bands and the feedback part's rounded percentages.</summary>
public sealed record DisclosedFinding(
    string Expression, IReadOnlyList<string> Columns, string Team, string SizeBand, double? ErrorBeforePercent, string? GapBand,
    double? ErrorAfterPercent, string? ImprovementBand, DateTimeOffset DisclosedAt);

public sealed record LeaderboardView(
    string CompetitionName, string Slug, Metric Metric, bool Closed, string PublicVersion,
    IReadOnlyList<TeamStanding> Standings, IReadOnlyList<ModelVersionRow> Versions, HeatMapView HeatMap,
    IReadOnlyList<DisclosedFinding> DisclosedFindings, SystemGapsView? Gaps = null);

/// <summary>
/// The public leaderboard: only released facts. Nothing of a submission that is not disclosed appears except as a
/// count (standings, heat map), except an accepted fix's group, which the published model already shows.
/// </summary>
public sealed class LeaderboardQuery(ApplicationDbContext db, TimeProvider time)
{
    public async Task<LeaderboardView?> ForAsync(string slug, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var competition = await db.Competitions.AsNoTracking().Public().Where(c => c.Slug == slug)
            .Select(c => new { c.Id, c.Name, c.Slug, c.Metric, c.Status, c.Revision, c.RewardCurrency }).SingleOrDefaultAsync(ct);
        if (competition is null) return null;

        var teamNames = await db.Teams.AsNoTracking().Where(t => t.CompetitionId == competition.Id).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var scored = await db.Scores.AsNoTracking().Where(s => s.CompetitionId == competition.Id && s.Status != ScoreStatus.Refused)
            .Join(db.Submissions, s => s.SubmissionId, x => x.Id, (s, x) => new ScoredSubmission(
                x.Id, s.TeamId, x.Expression, x.CanonicalExpression, x.ExpressionColumns, x.CreatedAt, s.Status, s.MaskHash, s.FindingVerified, s.FixAccepted, x.Triage))
            .ToListAsync(ct);
        var points = await TeamPoints.ForCompetitionAsync(db, competition.Id, ct);
        var rewards = competition.Status == CompetitionStatus.Closed
            ? await db.Payouts.AsNoTracking().Where(p => p.CompetitionId == competition.Id).ToDictionaryAsync(p => p.TeamId, p => new Reward(p.Amount, competition.RewardCurrency), ct)
            : [];

        var disclosed = await DisclosedAsync(competition.Id, now, teamNames, ct);
        IReadOnlyList<ModelVersionRow> versions = await VersionsAsync(competition.Id, scored, teamNames, ct);
        SystemGapsView? gaps = null;
        if (!competition.Metric.Definition().ScoresPredictions)
        {
            // An evaluation table has no model to fix: it improves when the organizer publishes a new system version.
            var systemVersions = await SystemVersionsAsync(competition.Id, ct);
            versions = [.. versions.Where(v => v.Version == 0).Select(v => v with { Note = "the evaluation the competition opened with" }), .. systemVersions];
            gaps = await GapsAsync(competition.Id, scored, disclosed, systemVersions.Select(v => v.Version).ToArray(), ct);
        }
        var disclosedCount = disclosed.Count;
        return new LeaderboardView(competition.Name, competition.Slug, competition.Metric, competition.Status == CompetitionStatus.Closed,
            LeaderboardChanges.VersionText(competition.Revision, disclosedCount),
            Standings(scored, points, rewards, teamNames), versions, HeatMap(scored, teamNames),
            disclosed.Values.OrderByDescending(f => f.DisclosedAt).ThenBy(f => f.Expression, StringComparer.Ordinal).ToArray(), gaps);
    }

    /// <summary>The published system versions, with their feedback-part rate rounded to 0.1 % as a model version's.</summary>
    private async Task<ModelVersionRow[]> SystemVersionsAsync(Guid competitionId, CancellationToken ct) =>
        (await db.SystemVersions.AsNoTracking().Where(v => v.CompetitionId == competitionId).OrderBy(v => v.Number)
            .Select(v => new { v.Number, v.PublishedAt, v.FeedbackLoss, v.Name }).ToListAsync(ct))
        .Select(v => new ModelVersionRow(v.Number, v.PublishedAt, Percent(v.FeedbackLoss), Note: v.Name))
        .ToArray();

    /// <summary>
    /// Each disclosed verified finding's gap by version: v0 is its verification (the released view), later versions its
    /// re-tests, released under the same rules. Undisclosed findings are only counted, as on the standings.
    /// </summary>
    private async Task<SystemGapsView> GapsAsync(Guid competitionId, List<ScoredSubmission> scored, Dictionary<Guid, DisclosedFinding> disclosed,
        int[] versionNumbers, CancellationToken ct)
    {
        var shown = scored.Where(s => s.Counts && s.FindingVerified && disclosed.ContainsKey(s.Id)).Select(s => s.Id).ToArray();
        var released = await db.Scores.AsNoTracking().Where(s => shown.Contains(s.SubmissionId))
            .Select(s => new { s.SubmissionId, s.Released }).ToDictionaryAsync(s => s.SubmissionId, s => s.Released, ct);
        var retests = (await db.FindingRetests.AsNoTracking().Where(r => r.CompetitionId == competitionId && shown.Contains(r.SubmissionId))
                .Select(r => new { r.SubmissionId, r.VersionNumber, r.ReleasedGroupPercent, r.ReleasedRestPercent, r.Gap, r.StillSignificant })
                .ToListAsync(ct))
            .ToLookup(r => r.SubmissionId);
        var groups = shown.Select(id =>
            {
                var view = released[id];
                var original = new GapAtVersion(0, true, view.Feedback?.GroupErrorPercent, view.Feedback?.ComplementErrorPercent,
                    view.FindingEffect?.ToDisplayText(), view.FindingVerified == true);
                var byVersion = retests[id].ToDictionary(r => r.VersionNumber);
                var later = versionNumbers.Select(n => byVersion.TryGetValue(n, out var r)
                    ? new GapAtVersion(n, true, r.ReleasedGroupPercent, r.ReleasedRestPercent, Bands.ForEffect(r.Gap).ToDisplayText(), r.StillSignificant)
                    : new GapAtVersion(n, false, null, null, null, false));
                return new GroupGapRow(disclosed[id].Expression, disclosed[id].Team, [original, .. later]);
            })
            .OrderBy(g => g.Expression, StringComparer.Ordinal)
            .ToArray();
        var undisclosed = scored.Count(s => s.Counts && s.FindingVerified && !disclosed.ContainsKey(s.Id));
        return new SystemGapsView(groups, undisclosed, versionNumbers.Length);
    }

    private sealed record ScoredSubmission(
        Guid Id, Guid TeamId, string Expression, string? CanonicalExpression, string[]? ExpressionColumns, DateTimeOffset CreatedAt,
        ScoreStatus Status, string MaskHash, bool FindingVerified, bool FixAccepted, TriageState Triage)
    {
        public ExpressionForm Form => new(Expression, CanonicalExpression, ExpressionColumns);

        /// <summary>Duplicates and disqualified submissions count for nothing on the standings.</summary>
        public bool Counts => !Triage.ForfeitsPoints() && Status == ScoreStatus.Scored;
    }

    private static TeamStanding[] Standings(List<ScoredSubmission> scored, IReadOnlyDictionary<Guid, TeamPoints> points,
        IReadOnlyDictionary<Guid, Reward> rewards, Dictionary<Guid, string> teamNames)
    {
        // First-found credit: per group (mask hash), the earliest counting verified finding; its team gets the credit.
        var firstFinders = scored.Where(s => s.Counts && s.FindingVerified)
            .GroupBy(s => s.MaskHash)
            .Select(g => g.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).First().TeamId)
            .CountBy(team => team)
            .ToDictionary(p => p.Key, p => p.Value);
        return scored.GroupBy(s => s.TeamId)
            .Select(g => new
            {
                Team = teamNames.GetValueOrDefault(g.Key, "?"),
                Points = points.TryGetValue(g.Key, out var p) ? p.Points : 0,
                Fixes = g.Count(s => s.Counts && s.FixAccepted),
                Findings = g.Count(s => s.Counts && s.FindingVerified),
                FirstFound = firstFinders.GetValueOrDefault(g.Key),
                Reward = rewards.GetValueOrDefault(g.Key),
            })
            .OrderByDescending(t => t.Points).ThenByDescending(t => t.Fixes).ThenByDescending(t => t.FirstFound)
            .ThenBy(t => t.Team, StringComparer.Ordinal)
            .Select((t, i) => new TeamStanding(i + 1, t.Team, t.Points, t.Fixes, t.Findings, t.FirstFound, t.Reward))
            .ToArray();
    }

    private static HeatMapView HeatMap(List<ScoredSubmission> scored, Dictionary<Guid, string> teamNames)
    {
        var columnsOf = scored.ToDictionary(s => s.Id, s => s.Form.Columns);
        var features = columnsOf.Values.SelectMany(c => c).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rows = scored.GroupBy(s => s.TeamId)
            .Select(g => new HeatMapRow(
                teamNames.GetValueOrDefault(g.Key, "?"),
                features.Select(f => g.Count(s => columnsOf[s.Id].Contains(f))).ToArray(),
                g.Count(),
                Math.Round(100.0 * g.Count(s => s.Counts && s.FixAccepted) / g.Count(), 1)))
            .OrderBy(r => r.Team, StringComparer.Ordinal)
            .ToArray();
        return new HeatMapView(features, rows);
    }

    /// <summary>Disclosed findings by submission id. The disclosure test runs in the database and again here, so a
    /// change to <see cref="Submission.IsDisclosed"/> cannot be bypassed by the query.</summary>
    private async Task<Dictionary<Guid, DisclosedFinding>> DisclosedAsync(Guid competitionId, DateTimeOffset now, Dictionary<Guid, string> teamNames, CancellationToken ct)
    {
        var rows = await db.Submissions.AsNoTracking()
            .Where(x => x.CompetitionId == competitionId).Where(Submission.DisclosedAt(now))
            .Join(db.Scores, x => x.Id, s => s.SubmissionId, (x, s) => new { Submission = x, s.Released, s.FixAccepted }) // never the internal record
            .ToListAsync(ct);
        return rows.Where(r => r.Submission.IsDisclosed(now)).ToDictionary(r => r.Submission.Id, r =>
        {
            var feedback = r.Released.Feedback;
            var form = ExpressionForm.Of(r.Submission);
            return new DisclosedFinding(
                form.Canonical, form.Columns, teamNames.GetValueOrDefault(r.Submission.TeamId, "?"),
                SizeBand(feedback?.GroupRows), feedback?.GroupErrorPercent, r.Released.FindingEffect?.ToDisplayText(),
                r.FixAccepted ? feedback?.FixGroupErrorPercent : null, r.FixAccepted ? r.Released.FixEffect?.ToDisplayText() : null,
                r.Submission.DiscloseAt!.Value);
        });
    }

    /// <summary>A band of the released (noisy, rounded) feedback row count: never the exact size of the group.</summary>
    public static string SizeBand(long? feedbackRows) => feedbackRows switch
    {
        null => "small group (under 15 feedback rows, not released)",
        < 100 => "15–99 rows",
        < 1_000 => "100–999 rows",
        < 10_000 => "1,000–9,999 rows",
        _ => "10,000 rows or more",
    };

    private async Task<ModelVersionRow[]> VersionsAsync(Guid competitionId, List<ScoredSubmission> scored, Dictionary<Guid, string> teamNames,
        CancellationToken ct)
    {
        var versions = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competitionId)
            .OrderBy(v => v.Version).Select(v => new { v.Version, v.CreatedAt, v.FeedbackLoss, v.SubmissionId }).ToListAsync(ct);
        var fixes = scored.Where(s => s.FixAccepted).ToDictionary(s => s.Id);
        return versions.Select(v => v.SubmissionId is { } id && fixes.TryGetValue(id, out var fix)
                ? new ModelVersionRow(v.Version, v.CreatedAt, Percent(v.FeedbackLoss), teamNames.GetValueOrDefault(fix.TeamId), fix.Form.Canonical)
                : new ModelVersionRow(v.Version, v.CreatedAt, Percent(v.FeedbackLoss)))
            .ToArray();
    }

    /// <summary>A rate as the leaderboard releases it: a percentage rounded to 0.1 (null when there is none).</summary>
    private static double? Percent(double loss) => double.IsFinite(loss) ? Math.Round(100 * loss, 1) : null;

    /// <summary>
    /// A submission's group as the leaderboard shows it, from the canonical text and columns stored with it (never parsed
    /// here). An accepted fix's group is public from the moment it is accepted, because it is a node of the published
    /// model anyone can download (<c>/competitions/{slug}/download/model</c>); only the finding's numbers wait for
    /// disclosure. A row without a stored form (its expression does not parse) shows the text as written and no columns.
    /// </summary>
    private sealed record ExpressionForm(string Expression, string? CanonicalExpression, string[]? ExpressionColumns)
    {
        public static ExpressionForm Of(Submission s) => new(s.Expression, s.CanonicalExpression, s.ExpressionColumns);

        public string Canonical => CanonicalExpression ?? Expression;

        public IReadOnlyList<string> Columns => ExpressionColumns ?? [];
    }
}

/// <summary>The findings search: <see cref="Q"/> matches the expression or the team, <see cref="Feature"/> is a column the
/// expression uses, <see cref="Page"/> is the page of matches (1 = the most recently disclosed).</summary>
public sealed record FindingsFilter(string? Q, string? Feature, int Page = 1)
{
    /// <summary>From the query string as typed: blanks are no filter, and a page that is not a positive number is the first.</summary>
    public static FindingsFilter From(string? q, string? feature, string? page = null) =>
        new(string.IsNullOrWhiteSpace(q) ? null : q.Trim(), string.IsNullOrWhiteSpace(feature) ? null : feature.Trim(),
            int.TryParse(page, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : 1);

    /// <summary>The query string of another page of the same search.</summary>
    public string QueryFor(int page) => QueryString.Create(new[]
        {
            new KeyValuePair<string, string?>("q", Q), new("feature", Feature), new("page", page == 1 ? null : page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        }.Where(p => p.Value is not null)).ToUriComponent();

    public IReadOnlyList<DisclosedFinding> Apply(IReadOnlyList<DisclosedFinding> findings) => findings
        .Where(f => Q is null || f.Expression.Contains(Q, StringComparison.OrdinalIgnoreCase) || f.Team.Contains(Q, StringComparison.OrdinalIgnoreCase))
        .Where(f => Feature is null || f.Columns.Contains(Feature, StringComparer.Ordinal))
        .ToArray();
}
