using BiasBounty.Scoring;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Worker;

/// <summary>
/// Re-tests every verified finding of an evaluation-table competition on a newly published system version
/// (<see cref="SubmissionScorer.Retest"/>: the verification's test at the level it was verified at, the release rules of
/// a submission). Idempotent: findings that already have a row for the version are skipped, and the unique
/// (submission, version) index stops a second run that races this one, whose retry then finds the rows.
/// </summary>
public sealed class RetestFindingsJob(ApplicationDbContext db, TimeProvider time, ILogger<RetestFindingsJob> log)
{
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    public async Task RunAsync(Guid systemVersionId, CancellationToken ct)
    {
        var version = await db.SystemVersions.AsNoTracking().Include(v => v.File).SingleOrDefaultAsync(v => v.Id == systemVersionId, ct);
        if (version is null)
        {
            log.LogWarning("System version {SystemVersionId} does not exist; nothing to re-test", systemVersionId);
            return;
        }
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == version.CompetitionId, ct);
        var done = await db.FindingRetests.Where(r => r.SystemVersionId == systemVersionId).Select(r => r.SubmissionId).ToListAsync(ct);
        var findings = await db.Scores.AsNoTracking()
            .Where(s => s.CompetitionId == competition.Id && s.Status == ScoreStatus.Scored && s.FindingVerified && !done.Contains(s.SubmissionId))
            .Join(db.Submissions, s => s.SubmissionId, x => x.Id, (s, x) => new { s.SubmissionId, s.Record, x.Expression })
            .ToListAsync(ct);
        if (findings.Count == 0) return;

        SystemVersionEvaluation evaluation;
        try
        {
            var parts = await SystemVersions.PartsAsync(db, competition, ct);
            evaluation = SystemVersions.Evaluate(competition, parts, SystemVersions.Read(version.File!.Content), version.File.FileName);
        }
        catch (ScoringInputException e)
        {
            // The version was checked when it was published; only a holdout replaced since can make it unmatched. Not retried.
            log.LogWarning("System version {Number} of competition {CompetitionId} no longer matches the competition's items: {Exception}",
                version.Number, competition.Id, e.WithoutMessage());
            return;
        }
        var settings = competition.ScoringSettings();
        var schema = PublicDataCache.SchemaOnly(competition);
        var now = time.GetUtcNow();
        foreach (var finding in findings)
        {
            var members = SubgroupExpression.Parse(finding.Expression).Bind(schema).Evaluate(evaluation.Holdout.Data);
            var (result, feedback) = SubmissionScorer.Retest(settings, evaluation.Holdout, finding.Record.Metric, members, finding.Record.Finding!.Level);
            db.FindingRetests.Add(new FindingRetest
            {
                CompetitionId = competition.Id, SubmissionId = finding.SubmissionId, SystemVersionId = version.Id, VersionNumber = version.Number,
                GroupRate = result.GroupRate, RestRate = result.ComplementRate, Gap = result.Difference,
                GapLower = result.IntervalLower, GapUpper = result.IntervalUpper, StillSignificant = result.Verified,
                Result = result, ReleasedGroupPercent = feedback?.GroupErrorPercent, ReleasedRestPercent = feedback?.ComplementErrorPercent, TestedAt = now,
            });
        }
        // One transaction: the leaderboard re-reads when the revision moves, and must then find the rows.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await PublicRevision.BumpAsync(db, competition.Id, ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Re-tested {Count} verified findings of competition {CompetitionId} on system version {Number}",
            findings.Count, competition.Id, version.Number);
    }
}
