using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Demo;

/// <summary>
/// A verdict written without running the engine, for the load test's seed (and tests that need many verdicts fast):
/// the record has the shape the engine writes, the released view is derived from it the engine's way.
/// </summary>
public static class SyntheticScores
{
    /// <summary>Marks <paramref name="submission"/> scored and returns its score (the caller adds both and saves).</summary>
    public static SubmissionScore Score(Submission submission, string group, string maskHash, bool findingVerified, bool fixAccepted,
        double points, FeedbackNumbers? feedback = null, ScoreStatus status = ScoreStatus.Scored, DateTimeOffset? at = null)
    {
        var finding = new FindingResult(500, 0.30, 5000, 0.15, 0.30, 0.15, "two-proportion z", 3.5, findingVerified ? 1e-4 : 0.4, 0.01,
            0.1, 0.2, findingVerified, findingVerified ? [] : ["not significant"]);
        var fix = fixAccepted ? new FixResult("synthetic-fix", 500, 40, 10, 0.06, 0.1, "McNemar", 5, 1e-4, 0.01, true, [], null, []) : null;
        var record = new ScoreRecord
        {
            SubmissionId = submission.Id.ToString(), Metric = submission.Metric, Status = status, Group = group, MaskHash = maskHash,
            GroupRows = 500, GroupShare = 0.1, Finding = finding, Fix = fix, Points = points,
            Feedback = feedback ?? new FeedbackNumbers(250, 75, 2450, 370, 30.0, 15.1, fixAccepted ? 60 : null, fixAccepted ? 24.0 : null),
            Provenance = new Provenance("synthetic", 0, "synthetic", 1, maskHash, 0.01, 0.01),
        };
        var now = at ?? DateTimeOffset.UtcNow;
        submission.MoveTo(SubmissionState.Scored, at: now);
        return new SubmissionScore
        {
            SubmissionId = submission.Id, CompetitionId = submission.CompetitionId, TeamId = submission.TeamId,
            Record = record, Released = SubmissionScorer.Release(record), Status = status, MaskHash = maskHash,
            FindingVerified = findingVerified, FixAccepted = fixAccepted, Points = points, CreatedAt = now,
        };
    }
}
