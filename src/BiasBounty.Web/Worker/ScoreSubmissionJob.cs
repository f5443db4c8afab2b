using BiasBounty.Scoring;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Worker;

/// <summary>
/// Scores one submission against its competition's hidden holdout. Re-entrant: a finished submission is left alone,
/// and everything a decision writes (record, released view, ledgers, next model version, points, state, audit) is
/// saved in one transaction taken under the competition's advisory lock, so decisions are serialised per competition
/// and always made against the newest model version.
/// </summary>
public sealed class ScoreSubmissionJob(
    ApplicationDbContext db, CompetitionRuntimeCache runtimes, Notifier notifier, IBackgroundJobClient jobs, TimeProvider time, ScoringMetrics metrics,
    ILogger<ScoreSubmissionJob> log)
{
    /// <summary>Hangfire retries after an unexpected error; the last of the 1 + Retries runs ends the submission in Failed.</summary>
    public const int Retries = 3;

    public const int MaxRuns = Retries + 1;

    public const string InternalErrorReason =
        "scoring stopped because of an internal error after several attempts; the organizers can see it, and it does not count against your team's quota";

    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [5, 30, 120], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid submissionId, CancellationToken ct)
    {
        // The trace's root: the engine's stage spans (load, mask, test, fix, decision, save) are its children.
        using var activity = ScoringStages.ActivitySource.StartActivity("score submission");
        activity?.SetTag("biasbounty.submission.id", submissionId);
        var run = await BeginRunAsync(submissionId, ct);
        if (run is null) return;
        activity?.SetTag("biasbounty.submission.run", run);
        try
        {
            await ScoreAsync(submissionId, ct);
        }
        catch (Exception e) when (run >= MaxRuns && !ct.IsCancellationRequested)
        {
            // The message of an unexpected exception is not the engine's vetted text and could quote holdout data: the log gets its type and stack only.
            log.LogError("Scoring submission {SubmissionId} failed on its last run ({Run} of {MaxRuns}): {Exception}", submissionId, run, MaxRuns, e.WithoutMessage());
            await FailAsync(submissionId, InternalErrorReason, ct);
            throw;
        }
    }

    /// <summary>Counts the run and moves Queued → Scoring; null when there is nothing (more) to do.</summary>
    private async Task<int?> BeginRunAsync(Guid submissionId, CancellationToken ct)
    {
        var submission = await db.Submissions.SingleOrDefaultAsync(s => s.Id == submissionId, ct);
        if (submission is null)
        {
            log.LogWarning("Submission {SubmissionId} does not exist; nothing to score", submissionId);
            return null;
        }
        if (submission.IsFinished) return null;
        submission.Runs++;
        if (submission.State == SubmissionState.Queued) db.AuditEvents.Add(submission.MoveTo(SubmissionState.Scoring, at: time.GetUtcNow()));
        // A worker that died mid-job (no exception, so no retry filter ran) is caught here on the job's next pick-up.
        if (submission.Runs > MaxRuns) db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, InternalErrorReason, time.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return submission.IsFinished ? null : submission.Runs;
    }

    private async Task ScoreAsync(Guid submissionId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var competitionId = await db.Submissions.Where(s => s.Id == submissionId).Select(s => s.CompetitionId).SingleAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CompetitionLock.AcquireAsync(db, competitionId, ct);

        var load = ScoringStages.Begin(ScoringStages.Load);
        // Read again under the lock: another run may have finished it while this one waited.
        var submission = await db.Submissions.SingleAsync(s => s.Id == submissionId, ct);
        if (submission.IsFinished)
        {
            load.Dispose();
            return;
        }
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, ct);
        var latest = await db.DecisionListVersions.Where(v => v.CompetitionId == competitionId)
            .OrderByDescending(v => v.Version).FirstAsync(ct);
        var ledger = await db.Ledgers.SingleAsync(l => l.CompetitionId == competitionId, ct);

        var (runtime, exclusive) = await runtimes.AcquireAsync(db, competition, ct);
        using var held = exclusive;
        var list = PointerDecisionList.FromJson(latest.ListJson);
        await CompetitionRuntimeCache.EnsureModelsAsync(db, competitionId, runtime, list, ct);

        ScoringOutcome outcome;
        SubmissionInput? input = null;
        try
        {
            try
            {
                input = await InputAsync(submission, competition, runtime, ct);
            }
            finally
            {
                load.Dispose();
            }
            var history = await HistoryAsync(competitionId, input.Group, list, runtime, ct);
            outcome = SubmissionScorer.Score(new ScoringRequest(
                competition.ScoringSettings(), runtime.Holdout, list, ledger.Ledgers, runtime.Catalog, history, input));
        }
        catch (ScoringInputException e)
        {
            // The participant's expression or model cannot be used: a final answer, not worth a retry.
            if (input is not null) runtime.Catalog.Release(input.Group, input.FixModelId, list);
            db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, e.Message, time.GetUtcNow()));
            await TellTeamAsync(submission, competition, "could not be scored: " + e.Message, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            metrics.Verdict(ScoringMetrics.Failed);
            return;
        }

        using var save = ScoringStages.Begin(ScoringStages.Save);
        // Still under the lock and the runtime's gate, so nothing else is using the catalog: a rejected fix and its group
        // leave worker memory now (an accepted one is a node of the new list and stays).
        runtime.Catalog.Release(input.Group, input.FixModelId, outcome.Model);
        Record(submission, competition, latest, ledger, outcome, runtime);
        await TellTeamAsync(submission, competition, outcome.Released.Summary, ct);
        await PublicRevision.BumpAsync(db, competitionId, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        metrics.Verdict(ScoringMetrics.Outcome(outcome.Record.Status, outcome.Record.FindingVerified, outcome.ModelChanged));
        log.LogInformation("Scored submission {SubmissionId}: {Status}, model version {Version}, {Points} points",
            submissionId, outcome.Record.Status, outcome.Model.Current.Number, outcome.Record.Points);
        if (outcome.Record.FindingVerified) await RetestOnSystemVersionsAsync(competitionId, ct);
    }

    /// <summary>
    /// A finding verified after new system versions were published is re-tested on each of them too (the job re-tests
    /// every verified finding a version lacks, so it does nothing more than that).
    /// </summary>
    private async Task RetestOnSystemVersionsAsync(Guid competitionId, CancellationToken ct)
    {
        foreach (var versionId in await db.SystemVersions.Where(v => v.CompetitionId == competitionId).Select(v => v.Id).ToListAsync(ct))
            jobs.Enqueue<RetestFindingsJob>(job => job.RunAsync(versionId, CancellationToken.None));
    }

    private async Task<SubmissionInput> InputAsync(Submission submission, Competition competition, CompetitionRuntime runtime, CancellationToken ct)
    {
        var compiled = CompileOnHoldout(submission.Expression, competition);
        string? fixId = null;
        if (submission.FixModelFileId is { } fileId)
        {
            var content = await db.StoredFiles.Where(f => f.Id == fileId).Select(f => f.Content).SingleAsync(ct);
            fixId = runtime.Catalog.AddOnnx(content, ModelRole.Predictor, runtime.Smoke);
        }
        // Last, so that a refused fix leaves no mask behind: from here on the caller releases the group.
        var group = runtime.Catalog.AddGroup(compiled, runtime.Holdout.Data);
        // The team's own ledgers pay for its tests (docs/scientific-validity.md).
        return new SubmissionInput(submission.Id.ToString(), group, fixId, submission.Metric, submission.TeamId.ToString());
    }

    /// <summary>
    /// The expression, parsed once per run and checked against the published schema only (columns, kinds, roles: public
    /// information, so its messages are safe to show). Text values are not checked against the holdout: a value the
    /// holdout lacks selects no rows there, and the group is refused as too small like any other small group — an answer
    /// drawn from the holdout, which counts against the quota and says no more than a verdict does. An error here
    /// would instead have told, for free, which public values the holdout holds.
    /// </summary>
    private static CompiledGroup CompileOnHoldout(string expression, Competition competition) =>
        SubgroupExpression.Parse(expression).Bind(PublicDataCache.SchemaOnly(competition));

    /// <summary>Earlier scored submissions with the same rows (for duplicate answers) and the accepted groups.</summary>
    private async Task<SubmissionHistory> HistoryAsync(Guid competitionId, GroupRef group, PointerDecisionList list, CompetitionRuntime runtime, CancellationToken ct)
    {
        var maskHash = runtime.Catalog.Members(group, runtime.Holdout.Data).ContentHash();
        var prior = await db.Scores.AsNoTracking()
            .Where(s => s.CompetitionId == competitionId && s.MaskHash == maskHash && s.Status == ScoreStatus.Scored)
            .OrderBy(s => s.CreatedAt)
            .Select(s => new { s.Record, s.Released }).ToListAsync(ct);
        var accepted = list.Nodes.OfType<UpdateNode>()
            .Select(n => new AcceptedGroup(n.SubmissionId ?? "", runtime.Catalog.Members(n.Group, runtime.Holdout.Data)))
            .ToArray();
        return new SubmissionHistory(prior.Select(p => new PriorSubmission(p.Record, p.Released)).ToArray(), accepted);
    }

    private void Record(Submission submission, Competition competition, DecisionListVersion latest, CompetitionLedger ledger,
        ScoringOutcome outcome, CompetitionRuntime runtime)
    {
        var now = time.GetUtcNow();
        var record = outcome.Record;
        db.Scores.Add(new SubmissionScore
        {
            SubmissionId = submission.Id, CompetitionId = competition.Id, TeamId = submission.TeamId,
            Record = record, Released = outcome.Released, Status = record.Status, MaskHash = record.MaskHash,
            FindingVerified = record.FindingVerified, FixAccepted = outcome.ModelChanged, Points = record.Points,
            ModelVersion = latest.Version, CreatedAt = now,
        });
        if (outcome.ModelChanged)
        {
            // The unique (competition, version) index is the second guard, should the lock ever be bypassed.
            db.DecisionListVersions.Add(new DecisionListVersion
            {
                CompetitionId = competition.Id, Version = outcome.Model.Current.Number, ListJson = outcome.Model.ToJson(),
                SubmissionId = submission.Id, CreatedAt = now,
                FeedbackLoss = CompetitionData.FeedbackLoss(outcome.Model, runtime.Holdout, competition.ScoringSettings()),
            });
        }
        ledger.Ledgers = outcome.Ledgers;
        ledger.AcceptCount = outcome.Model.AcceptedCount;
        ledger.UpdatedAt = now;
        if (record.Points > 0)
            db.Points.Add(new PointsEntry { CompetitionId = competition.Id, TeamId = submission.TeamId, SubmissionId = submission.Id, Points = record.Points, CreatedAt = now });
        db.AuditEvents.Add(record.Status == ScoreStatus.Refused
            ? submission.MoveTo(SubmissionState.Refused, record.RefusalReason, now)
            : submission.MoveTo(SubmissionState.Scored, at: now));
    }

    /// <summary>The verdict notice for the submitter's team: the released summary only, never the internal record.</summary>
    private Task TellTeamAsync(Submission submission, Competition competition, string summary, CancellationToken ct) =>
        notifier.TellTeamAsync(submission.TeamId, new TeamMessage(competition.Id, submission.Id, Notification.Verdict,
            $"Verdict on your submission to {competition.Name}", $"{submission.Expression}: {summary}", $"submissions/{submission.Id}"), ct);

    private async Task FailAsync(Guid submissionId, string reason, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var submission = await db.Submissions.SingleAsync(s => s.Id == submissionId, ct);
        if (submission.IsFinished) return;
        db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, reason, time.GetUtcNow()));
        await db.SaveChangesAsync(ct);
    }
}
