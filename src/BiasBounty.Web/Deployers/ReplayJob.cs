using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Replay;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Worker;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Deployers;

/// <summary>
/// Runs a deployer's replay (<see cref="ReplayReport.Run"/>) on the competition's published versions, writing its
/// progress as it goes. Re-entrant: a finished replay is left alone, and a replay whose upload was deleted meanwhile
/// stores nothing (every write is an update of the run's row, which the deletion removed).
/// </summary>
public sealed class ReplayJob(ApplicationDbContext db, PublicDataCache publicData, CompetitionRuntimeCache runtimes, TimeProvider time, ILogger<ReplayJob> log)
{
    private const int MaxRuns = 3;

    [AutomaticRetry(Attempts = MaxRuns - 1, DelaysInSeconds = [5, 30])]
    public async Task RunAsync(Guid runId, CancellationToken ct)
    {
        var run = await db.ReplayRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.State is ReplayState.Done or ReplayState.Failed) return;
        var runs = run.Runs + 1;
        if (runs > MaxRuns)
        {
            await FinishAsync(runId, ReplayState.Failed, null, "The replay failed several times; delete the upload and try again, or tell the organizer.");
            return;
        }
        await db.ReplayRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Runs, runs).SetProperty(r => r.State, ReplayState.Running), ct);
        try
        {
            var report = await ReplayAsync(run, ct);
            await FinishAsync(runId, ReplayState.Done, ReplayReports.ToJson(report), null);
            log.LogInformation("Replay {RunId} done", runId);
        }
        catch (ScoringInputException e)
        {
            await FinishAsync(runId, ReplayState.Failed, null, CompetitionDraftSentence(e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException && runs >= MaxRuns)
        {
            log.LogError("Replay {RunId} failed on its last run: {Exception}", runId, e.WithoutMessage());
            await FinishAsync(runId, ReplayState.Failed, null, "The replay failed; delete the upload and try again, or tell the organizer.");
        }
    }

    private static string CompetitionDraftSentence(string message) => Organize.CompetitionDraft.Sentence(message);

    private async Task<ReplayReport> ReplayAsync(ReplayRun run, CancellationToken ct)
    {
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == run.CompetitionId, ct);
        var upload = await db.DeployerUploads.AsNoTracking().Where(u => u.Id == run.UploadId).Select(u => new { u.FileName, u.Content }).SingleOrDefaultAsync(ct)
            ?? throw new ScoringInputException("the upload was deleted");
        var findings = await db.Scores.AsNoTracking()
            .Where(s => s.CompetitionId == competition.Id && s.Status == ScoreStatus.Scored && s.FindingVerified)
            .Join(db.Submissions, s => s.SubmissionId, x => x.Id, (s, x) => x.CanonicalExpression ?? x.Expression)
            .Distinct().ToListAsync(ct);
        if (competition.TakesVersions()) return await ReplayEvaluationTableAsync(run, competition, upload.FileName, upload.Content, findings, ct);
        var published = await publicData.GetAsync(db, competition.Id, ct) ?? throw new ScoringInputException("the competition has no data");
        var (data, problem) = DeployerUploads.Fit(upload.FileName, upload.Content, published.Training);
        if (data is null) throw new ScoringInputException(problem ?? "the upload cannot be read");
        var listJson = await db.DecisionListVersions.Where(v => v.CompetitionId == competition.Id).OrderByDescending(v => v.Version)
            .Select(v => v.ListJson).FirstOrDefaultAsync(ct) ?? throw new ScoringInputException("the competition has no model yet");
        var list = PointerDecisionList.FromJson(listJson);

        // A catalog of the replay's own: the worker's shared one may dispose models mid-decision.
        var settings = competition.ScoringSettings();
        using var catalog = new ModelCatalog(published.Training.Schema, LabelDomain.Of(published.Training), new ModelLimits(settings.MaxModelBytes), published.Coding);
        var ids = list.ReferencedModelIds().ToArray();
        var groupModels = list.Nodes.OfType<UpdateNode>().Select(n => n.Group.ModelId).OfType<string>().ToHashSet();
        var files = await db.StoredFiles.Where(f => f.CompetitionId == competition.Id && f.Kind == StoredFileKind.Model && ids.Contains(f.ContentHash))
            .Select(f => new { f.ContentHash, f.Content }).ToListAsync(ct);
        foreach (var file in files)
            catalog.AddOnnx(file.Content, groupModels.Contains(file.ContentHash) ? ModelRole.Group : ModelRole.Predictor, null,
                file.ContentHash == list.BaseModelId ? ModelTrust.Trusted : ModelTrust.Untrusted);

        var runtime = await runtimes.GetAsync(db, competition, ct);
        var holdout = runtime.Holdout.ContentHash == list.HoldoutHash ? runtime.Holdout : null;

        var request = new ReplayRequest(data, competition.Metric, settings.LossCap, list, catalog, findings, competition.ProtectedColumns, holdout)
        {
            Label = LabelDomain.Of(published.Training),
        };
        return await RunWithProgressAsync(run.Id, progress => ReplayReport.Run(request, progress), ct);
    }

    /// <summary>
    /// A deployer's own evaluation table: the rate of the competition's newest system version's kind on their items,
    /// compared with that version's holdout (version 0 is the table the competition opened with).
    /// </summary>
    private async Task<ReplayReport> ReplayEvaluationTableAsync(ReplayRun run, Competition competition, string fileName, byte[] content, IReadOnlyList<string> findings, CancellationToken ct)
    {
        var (data, problem) = DeployerUploads.FitEvaluationTable(fileName, content, competition.Schema(), competition.Metric);
        if (data is null) throw new ScoringInputException(problem ?? "the upload cannot be read");
        var newest = await db.SystemVersions.AsNoTracking().Include(v => v.File).Where(v => v.CompetitionId == competition.Id)
            .OrderByDescending(v => v.Number).FirstOrDefaultAsync(ct);
        Holdout holdout;
        if (newest is null)
        {
            holdout = (await runtimes.GetAsync(db, competition, ct)).Holdout;
        }
        else
        {
            var parts = await SystemVersions.PartsAsync(db, competition, ct);
            holdout = SystemVersions.Evaluate(competition, parts, SystemVersions.Read(newest.File!.Content), newest.File.FileName).Holdout;
        }
        var request = new EvaluationReplayRequest(data, competition.Metric, newest?.Number ?? 0, findings, competition.ProtectedColumns, holdout);
        return await RunWithProgressAsync(run.Id, progress => EvaluationTableReplay.Run(request, progress), ct);
    }

    /// <summary>Runs the engine on a thread-pool thread, writing its progress (0–99 %) to the run every half second.</summary>
    private async Task<ReplayReport> RunWithProgressAsync(Guid runId, Func<IProgress<double>, ReplayReport> replay, CancellationToken ct)
    {
        var progress = new LatestProgress();
        var work = Task.Run(() => replay(progress), ct);
        var written = -1;
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(500), ct));
            var percent = (int)Math.Floor(progress.Value * 100);
            if (percent == written) continue;
            written = percent;
            await db.ReplayRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Progress, Math.Min(99, percent)), ct);
        }
        return await work;
    }

    private Task FinishAsync(Guid runId, ReplayState state, string? reportJson, string? reason) =>
        db.ReplayRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, state).SetProperty(r => r.ReportJson, reportJson).SetProperty(r => r.FailureReason, reason)
            .SetProperty(r => r.Progress, state == ReplayState.Done ? 100 : 0).SetProperty(r => r.FinishedAt, time.GetUtcNow()), CancellationToken.None);

    private sealed class LatestProgress : IProgress<double>
    {
        private double _value;

        public double Value => Volatile.Read(ref _value);

        public void Report(double value) => Volatile.Write(ref _value, value);
    }
}

/// <summary>Deletes deployers' uploads (and their reports) older than <see cref="DeployerUploads.RetentionDays"/>: a recurring job.</summary>
public sealed class DeployerDataRetention(ApplicationDbContext db, TimeProvider time, ILogger<DeployerDataRetention> log)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync()
    {
        var now = time.GetUtcNow();
        var expired = db.DeployerUploads.Where(u => u.ExpiresAt <= now);
        await db.ReplayRuns.Where(r => expired.Any(u => u.Id == r.UploadId)).ExecuteDeleteAsync();
        var count = await expired.ExecuteDeleteAsync();
        if (count > 0) log.LogInformation("Deleted {Count} deployer uploads past their retention period", count);
    }
}
