using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Leaderboard;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Api;

// What the API answers, as JSON (camelCase). Enums are written as the words the pages show, so a script does not depend
// on the C# names; nothing here can carry the internal score record.

/// <summary><see cref="ModelOnnx"/>: the newest version as one ONNX file; <see cref="ServiceCard"/>: the newest published service card (404 until there is one).</summary>
public sealed record CompetitionLinks(
    string Self, string Page, string Leaderboard, string Submissions, string TrainingData, string Schema, string Model, string ModelOnnx, string ServiceCard)
{
    public static CompetitionLinks For(string slug) => new(
        $"/api/v1/competitions/{slug}", $"/competitions/{slug}", $"/api/v1/competitions/{slug}/leaderboard", $"/api/v1/competitions/{slug}/submissions",
        $"/competitions/{slug}/download/training", $"/competitions/{slug}/download/schema.json", $"/competitions/{slug}/download/model",
        $"/competitions/{slug}/download/model.onnx", $"/competitions/{slug}/service-card");
}

public sealed record CompetitionSummary(string Slug, string Name, string Status, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string Metric,
    CompetitionLinks Links);

/// <param name="ResetsAt">When the count starts again (the next midnight UTC).</param>
public sealed record QuotaResponse(int Limit, int Used, int Remaining, DateTimeOffset ResetsAt)
{
    public static QuotaResponse Of(Quota quota) => new(quota.Limit, quota.Used, quota.Remaining, quota.ResetsAt);
}

public sealed record TeamResponse(Guid Id, string Name);

/// <summary>The caller's place in a competition, when the request carries a token.</summary>
public sealed record CallerResponse(TeamResponse? Team, QuotaResponse Quota);

public sealed record CompetitionDetail(string Slug, string Name, string Status, bool AcceptsSubmissions, DateTimeOffset OpensAt, DateTimeOffset ClosesAt,
    string Metric, IReadOnlyList<string> Metrics, string DescriptionMarkdown, string RulesMarkdown, long MaxModelBytes, int SubmissionsPerDay,
    DataCard? Schema, CallerResponse? You, CompetitionLinks Links);

/// <param name="Warning">Set when the group is likely too small to be scored on the holdout (a refusal there uses quota).</param>
public sealed record GroupCheckResponse(bool Valid, int? Rows, string Message, string? Warning = null)
{
    public static GroupCheckResponse Of(ExpressionCheck check) => new(check.Valid, check.Rows, check.Message, check.Warning);
}

public sealed record SubmissionLinks(string Self, string Page);

/// <param name="Quota">The team's quota after this submission (it counts unless it fails on the platform's side).</param>
public sealed record SubmitAccepted(Guid Id, string State, SubmissionLinks Links, QuotaResponse? Quota = null);

/// <summary>The released view (docs/scoring-rules.md) with its bands as the submission page writes them.</summary>
public sealed record VerdictResponse(string Status, string Summary, bool? FindingVerified, string? FindingPValue, string? FindingEffect,
    bool? FixAccepted, string? FixPValue, string? FixEffect, FeedbackNumbers? Feedback, double EnginePoints, string? DuplicateOf)
{
    public static VerdictResponse Of(ReleasedView r) => new(r.Status.ToString().ToLowerInvariant(), r.Summary,
        r.FindingVerified, r.FindingPBand?.ToDisplayText(), r.FindingEffect?.ToDisplayText(),
        r.FixVerified, r.FixPBand?.ToDisplayText(), r.FixEffect?.ToDisplayText(), r.Feedback, r.Points, r.DuplicateOf);
}

public sealed record SubmissionResponse(Guid Id, string Competition, string Expression, string Metric, bool HasFix, string State, string? FailureReason,
    DateTimeOffset CreatedAt, VerdictResponse? Verdict, double? Points, string? PointsReason, string Review, string? ReviewNote, SubmissionLinks Links)
{
    public static SubmissionResponse Of(SubmissionStatus s) => new(s.Id, s.CompetitionSlug, s.Expression, s.Metric.Name(), s.HasFix,
        StateName(s.State), s.Released is null ? s.FailureReason : null, s.CreatedAt, s.Released is { } r ? VerdictResponse.Of(r) : null,
        s.Points, s.PointsReason, s.Triage.ForParticipants(), s.TriageNote, LinksFor(s.Id));

    public static SubmissionLinks LinksFor(Guid id) => new($"/api/v1/submissions/{id}", $"/submissions/{id}");

    public static string StateName(SubmissionState state) => state.ToString().ToLowerInvariant();
}

public sealed record SubmissionPage(int Page, int PageSize, bool HasMore, TeamResponse? Team, IReadOnlyList<SubmissionResponse> Submissions);

public sealed record LeaderboardResponse(string Competition, string Name, string Metric, bool Closed, string Version,
    IReadOnlyList<TeamStanding> Standings, IReadOnlyList<ModelVersionRow> ModelVersions, HeatMapView HeatMap, IReadOnlyList<DisclosedFinding> DisclosedFindings)
{
    public static LeaderboardResponse Of(LeaderboardView v) =>
        new(v.Slug, v.CompetitionName, v.Metric.Name(), v.Closed, v.PublicVersion, v.Standings, v.Versions, v.HeatMap, v.DisclosedFindings);
}

internal static class CompetitionStatusText
{
    public static string Name(this CompetitionStatus status) => status.ToString().ToLowerInvariant();
}
