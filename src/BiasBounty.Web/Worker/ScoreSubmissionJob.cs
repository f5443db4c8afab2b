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
/// Scores one submission against its competition's hidden holdout. Re-entrant: a finished submission is left alone.
/// A decision takes two steps (docs/performance.md, "Queue and workers"). First it is drafted without any lock: the
/// expensive, read-only part (the group's rows, the finding's test, a fix's predictions and the update) against the
/// newest model version read then. Then, under the competition's advisory lock, the job checks that everything the
/// draft depends on still holds (the newest version, the holdout and settings, the team's ledgers, the earlier
/// submissions with the same rows) and saves it — record, released view, ledgers, next model version, points, state,
/// audit, notice — in one transaction; when something moved meanwhile (a fix accepted, the team's own claim decided,
/// the same rows answered first), the decision is drafted again under the lock. So a competition's decisions are
/// drafted in parallel and written one at a time, each against the newest model version.
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

    /// <summary>Tests only: runs between the draft and taking the lock, to make something move in between.</summary>
    internal Func<Task>? AfterDraft { get; set; }

    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [5, 30, 120], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid submissionId, CancellationToken ct)
    {
        // The trace's root: the engine's stage spans (load, mask, test, fix, decision, lock, save) are its children.
        using var activity = ScoringStages.ActivitySource.StartActivity("score submission");
        activity?.SetTag("biasbounty.submission.id", submissionId);
        var submission = await BeginRunAsync(submissionId, ct);
        if (submission is null) return;
        var run = submission.Runs;
        activity?.SetTag("biasbounty.submission.run", run);
        try
        {
            await ScoreAsync(submission, ct);
        }
        catch (Exception e) when (run >= MaxRuns && !ct.IsCancellationRequested)
        {
            // The message of an unexpected exception is not the engine's vetted text and could quote holdout data: the log gets its type and stack only.
            log.LogError("Scoring submission {SubmissionId} failed on its last run ({Run} of {MaxRuns}): {Exception}", submissionId, run, MaxRuns, e.WithoutMessage());
            await FailAsync(submissionId, InternalErrorReason, ct);
            throw;
        }
    }

    /// <summary>Counts the run and moves Queued → Scoring; the submission, or null when there is nothing (more) to do.</summary>
    private async Task<Submission?> BeginRunAsync(Guid submissionId, CancellationToken ct)
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
        return submission.IsFinished ? null : submission;
    }

    private async Task ScoreAsync(Submission started, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var competitionId = started.CompetitionId;
        var draft = await DraftAsync(started, ct);
        var recipients = await notifier.RecipientsAsync(started.TeamId, ct);
        if (AfterDraft is { } afterDraft) await afterDraft();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        using (ScoringStages.Begin(ScoringStages.Lock))
            await CompetitionLock.AcquireAsync(db, competitionId, ct);
        using var save = ScoringStages.Begin(ScoringStages.Save);
        // Read again under the lock: another run may have finished it meanwhile.
        var submission = await db.Submissions.SingleAsync(s => s.Id == started.Id, ct);
        if (submission.IsFinished) return;
        var ledger = await db.Ledgers.SingleAsync(l => l.CompetitionId == competitionId, ct);
        if (await BasisAsync(competitionId, ledger.Ledgers, submission.TeamId, draft.MaskHash, ct) != draft.Basis)
        {
            // Something the draft depends on moved while it was made: decide again, now that nothing can move.
            metrics.Redecided();
            draft = await DraftAsync(submission, ct);
        }

        if (draft.Failure is { } failure)
        {
            // The participant's expression or model cannot be used: a final answer, not worth a retry.
            db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, failure, time.GetUtcNow()));
            Tell(recipients, submission, draft.Competition, "could not be scored: " + failure);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            metrics.Verdict(ScoringMetrics.Failed);
            return;
        }
        var outcome = draft.Outcome!;
        Record(submission, draft, ledger, outcome);
        Tell(recipients, submission, draft.Competition, outcome.Released.Summary);
        await PublicRevision.BumpAsync(db, competitionId, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        metrics.Verdict(ScoringMetrics.Outcome(outcome.Record.Status, outcome.Record.FindingVerified, outcome.ModelChanged));
        log.LogInformation("Scored submission {SubmissionId}: {Status}, model version {Version}, {Points} points",
            submission.Id, outcome.Record.Status, outcome.Model.Current.Number, outcome.Record.Points);
        if (outcome.Record.FindingVerified) await RetestOnSystemVersionsAsync(competitionId, ct);
    }

    /// <summary>
    /// Everything a decision depends on besides the submission itself: the newest model version, the holdout and
    /// settings, the submitting team's ledgers, the holdout's accept count, and the earlier scored submissions with the
    /// same rows (duplicates, first found).
    /// </summary>
    private sealed record Basis(Guid VersionId, int Version, Guid? HoldoutFileId, CompetitionSettings Settings, LedgerPair TeamLedgers,
        int AcceptedOnHoldout, string PriorIds);

    /// <summary>A decision drafted against <see cref="Basis"/>: its outcome, or why the submission cannot be scored.</summary>
    private sealed record Draft(Competition Competition, Basis Basis, string MaskHash, ScoringOutcome? Outcome, string? Failure, double? FeedbackLoss);

    /// <summary>The basis as it stands now (called under the lock, with the ledgers read under it).</summary>
    private async Task<Basis> BasisAsync(Guid competitionId, Ledgers ledgers, Guid teamId, string maskHash, CancellationToken ct)
    {
        var versions = db.DecisionListVersions.Where(v => v.CompetitionId == competitionId).OrderByDescending(v => v.Version);
        var head = await db.Competitions.Where(c => c.Id == competitionId).Select(c => new
        {
            c.HoldoutFileId, c.Settings, c.Metric, c.SplitSeed,
            VersionId = versions.Select(v => v.Id).First(),
            Version = versions.Select(v => v.Version).First(),
        }).SingleAsync(ct);
        var priorIds = maskHash.Length == 0 ? [] : await PriorsAsync(competitionId, maskHash).Select(s => s.SubmissionId).ToListAsync(ct);
        return BasisOf(head.VersionId, head.Version, head.HoldoutFileId, CompetitionData.ScoringSettings(head.Settings, head.Metric, head.SplitSeed),
            ledgers, teamId, priorIds);
    }

    private static Basis BasisOf(Guid versionId, int version, Guid? holdoutFileId, CompetitionSettings settings, Ledgers ledgers, Guid teamId,
        IEnumerable<Guid> priorIds) =>
        new(versionId, version, holdoutFileId, settings, ledgers.For(teamId.ToString()), ledgers.AcceptedOnHoldout, string.Join(',', priorIds));

    /// <summary>Earlier scored submissions with the same rows, first found first.</summary>
    private IQueryable<SubmissionScore> PriorsAsync(Guid competitionId, string maskHash) =>
        db.Scores.AsNoTracking().Where(s => s.CompetitionId == competitionId && s.MaskHash == maskHash && s.Status == ScoreStatus.Scored)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.SubmissionId);

    /// <summary>
    /// Drafts the decision against the newest state read now. Holds the runtime's gate (the catalog to oneself within
    /// this process) but no lock; a rejected fix and its group leave worker memory at its end (an accepted one is a node
    /// of the drafted list and stays; a draft made again loads what it needs again).
    /// </summary>
    private async Task<Draft> DraftAsync(Submission submission, CancellationToken ct)
    {
        var competitionId = submission.CompetitionId;
        var load = ScoringStages.Begin(ScoringStages.Load);
        // The competition before its newest version: a holdout refresh changes both at once, so a version read after
        // the competition is never older than the holdout read with it.
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == competitionId, ct);
        var latest = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competitionId)
            .OrderByDescending(v => v.Version).FirstAsync(ct);
        var ledgers = await db.Ledgers.AsNoTracking().Where(l => l.CompetitionId == competitionId).Select(l => l.Ledgers).SingleAsync(ct);

        var (runtime, exclusive) = await runtimes.AcquireAsync(db, competition, ct);
        using var held = exclusive;
        var list = PointerDecisionList.FromJson(latest.ListJson);
        await CompetitionRuntimeCache.EnsureModelsAsync(db, competitionId, runtime, list, ct);

        var settings = competition.ScoringSettings();
        SubmissionInput? input = null;
        string maskHash = "";
        IReadOnlyList<Guid> priorIds = [];
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
            SubmissionHistory history;
            (history, maskHash, priorIds) = await HistoryAsync(competitionId, input.Group, list, runtime, ct);
            var outcome = SubmissionScorer.Score(new ScoringRequest(settings, runtime.Holdout, list, ledgers, runtime.Catalog, history, input));
            runtime.Catalog.Release(input.Group, input.FixModelId, outcome.Model);
            var feedbackLoss = outcome.ModelChanged ? CompetitionData.FeedbackLoss(outcome.Model, runtime.Holdout, settings) : (double?)null;
            return new Draft(competition, BasisOf(latest.Id, latest.Version, competition.HoldoutFileId, settings, ledgers, submission.TeamId, priorIds), maskHash, outcome, null, feedbackLoss);
        }
        catch (ScoringInputException e)
        {
            if (input is not null) runtime.Catalog.Release(input.Group, input.FixModelId, list);
            return new Draft(competition, BasisOf(latest.Id, latest.Version, competition.HoldoutFileId, settings, ledgers, submission.TeamId, priorIds), maskHash, null, e.Message, null);
        }
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

    /// <summary>
    /// Earlier scored submissions with the same rows (for duplicate answers) and the accepted groups; with the rows' hash
    /// and the earlier submissions' ids, which the basis compares.
    /// </summary>
    private async Task<(SubmissionHistory History, string MaskHash, IReadOnlyList<Guid> PriorIds)> HistoryAsync(
        Guid competitionId, GroupRef group, PointerDecisionList list, CompetitionRuntime runtime, CancellationToken ct)
    {
        var maskHash = runtime.Catalog.Members(group, runtime.Holdout.Data).ContentHash();
        var prior = await PriorsAsync(competitionId, maskHash).Select(s => new { s.SubmissionId, s.Record, s.Released }).ToListAsync(ct);
        var accepted = list.Nodes.OfType<UpdateNode>()
            .Select(n => new AcceptedGroup(n.SubmissionId ?? "", runtime.Catalog.Members(n.Group, runtime.Holdout.Data)))
            .ToArray();
        return (new SubmissionHistory(prior.Select(p => new PriorSubmission(p.Record, p.Released)).ToArray(), accepted), maskHash,
            prior.Select(p => p.SubmissionId).ToArray());
    }

    private void Record(Submission submission, Draft draft, CompetitionLedger ledger, ScoringOutcome outcome)
    {
        var now = time.GetUtcNow();
        var record = outcome.Record;
        var competitionId = submission.CompetitionId;
        db.Scores.Add(new SubmissionScore
        {
            SubmissionId = submission.Id, CompetitionId = competitionId, TeamId = submission.TeamId,
            Record = record, Released = outcome.Released, Status = record.Status, MaskHash = record.MaskHash,
            FindingVerified = record.FindingVerified, FixAccepted = outcome.ModelChanged, Points = record.Points,
            ModelVersion = draft.Basis.Version, CreatedAt = now,
        });
        if (outcome.ModelChanged)
        {
            // The unique (competition, version) index is the second guard, should the lock ever be bypassed.
            db.DecisionListVersions.Add(new DecisionListVersion
            {
                CompetitionId = competitionId, Version = outcome.Model.Current.Number, ListJson = outcome.Model.ToJson(),
                SubmissionId = submission.Id, CreatedAt = now, FeedbackLoss = draft.FeedbackLoss!.Value,
            });
        }
        // The decision owns its team's pair and the holdout's accept count (unchanged since the draft, or it was made
        // again); other teams' pairs may have moved meanwhile and are kept as they stand now.
        var team = submission.TeamId.ToString();
        ledger.Ledgers = ledger.Ledgers.With(team, outcome.Ledgers.For(team)) with { AcceptedOnHoldout = outcome.Ledgers.AcceptedOnHoldout };
        ledger.AcceptCount = outcome.Model.AcceptedCount;
        ledger.UpdatedAt = now;
        if (record.Points > 0)
            db.Points.Add(new PointsEntry { CompetitionId = competitionId, TeamId = submission.TeamId, SubmissionId = submission.Id, Points = record.Points, CreatedAt = now });
        db.AuditEvents.Add(record.Status == ScoreStatus.Refused
            ? submission.MoveTo(SubmissionState.Refused, record.RefusalReason, now)
            : submission.MoveTo(SubmissionState.Scored, at: now));
    }

    /// <summary>The verdict notice for the submitter's team: the released summary only, never the internal record.</summary>
    private void Tell(TeamRecipients recipients, Submission submission, Competition competition, string summary) =>
        notifier.Tell(recipients, new TeamMessage(competition.Id, submission.Id, Notification.Verdict,
            $"Verdict on your submission to {competition.Name}", $"{submission.Expression}: {summary}", $"submissions/{submission.Id}"));

    private async Task FailAsync(Guid submissionId, string reason, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var submission = await db.Submissions.SingleAsync(s => s.Id == submissionId, ct);
        if (submission.IsFinished) return;
        db.AuditEvents.Add(submission.MoveTo(SubmissionState.Failed, reason, time.GetUtcNow()));
        await db.SaveChangesAsync(ct);
    }
}
