using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Replay;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Deployers;

/// <summary>
/// A deployer's uploads and replays: checked like any upload (messages name line and column), stored privately with
/// an expiry, replayed once by a Hangfire job, deleted for good with their reports.
/// </summary>
public sealed class DeployerUploads(ApplicationDbContext db, PublicDataCache publicData, IBackgroundJobClient jobs, TimeProvider time, ILogger<DeployerUploads> log)
{
    /// <summary>How long an upload and its reports are kept (the upload page states it; <see cref="DeployerDataRetention"/> enforces it).</summary>
    public const int RetentionDays = 90;

    /// <summary>Checks and stores an upload of <paramref name="userId"/>, a deployer of the competition; its id, or a message (nothing stored).</summary>
    public async Task<(Guid? Id, string? Problem)> AddAsync(Guid competitionId, string userId, string fileName, byte[] content, CancellationToken ct = default)
    {
        var competition = await db.DeployedBy(userId).AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, ct);
        if (competition is null) return (null, "You are not a deployer of this competition.");
        Dataset? data;
        string? problem;
        if (competition.TakesVersions())
        {
            (data, problem) = FitEvaluationTable(fileName, content, competition.Schema(), competition.Metric);
        }
        else
        {
            var training = (await publicData.GetAsync(db, competitionId, ct))?.Training;
            if (training is null) return (null, "This competition has no data yet.");
            (data, problem) = Fit(fileName, content, training);
        }
        if (data is null) return (null, problem);
        var now = time.GetUtcNow();
        var upload = new DeployerUpload
        {
            CompetitionId = competitionId, OwnerId = userId, FileName = Path.GetFileName(fileName), Content = content, Rows = data.RowCount,
            UploadedAt = now, ExpiresAt = now.AddDays(RetentionDays),
        };
        db.DeployerUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        return (upload.Id, null);
    }

    /// <summary>
    /// Reads a deployer's file with the competition's schema: the training data's columns in its order, values of the
    /// columns' kinds, and on every row a label the competition knows. The rows, or a message naming line and column.
    /// </summary>
    public static (Dataset? Data, string? Problem) Fit(string fileName, byte[] content, Dataset training)
    {
        var (table, problem) = CompetitionDraft.ReadTable("file", fileName, content);
        if (table is null) return (null, problem);
        if (CompetitionDraft.ColumnDifference(training.Columns.Select(c => c.Name).ToArray(), table.Data) is { } difference)
            return (null, "Your file must have the competition's columns, in the order of its training download: " + difference.Replace("the training file", "the competition's data", StringComparison.Ordinal) + ".");
        Dataset data;
        try
        {
            data = CsvDatasetLoader.Load(content, new CsvLoadOptions(Schema: training.Schema));
        }
        catch (ScoringInputException e)
        {
            return (null, "Your file does not fit the competition's column kinds: " + CompetitionDraft.Sentence(e.Message));
        }
        var domain = LabelDomain.Of(training);
        var label = data[domain.Column];
        for (var row = 0; row < data.RowCount; row++)
        {
            var line = row + 2; // the header is line 1
            if (label.IsMissing(row))
                return (null, $"Line {line}, column '{domain.Column}': the label is missing; every row needs one.");
            if (domain.Task == TaskKind.Classification && !domain.TryMapLabel(label.FormatValue(row) ?? "", out _))
                return (null, $"Line {line}, column '{domain.Column}': '{label.FormatValue(row)}' is not one of the competition's label values ('{domain.PositiveClass}' and '{domain.NegativeClass}').");
        }
        return (data, null);
    }

    /// <summary>
    /// Reads a deployer's own evaluation table with the competition's schema (an evaluation-table competition): every
    /// feature column and the cluster column, and the loss columns or the transcripts, in any order; the competition's
    /// column kinds. The table as the engine replays it, or a message naming line and column.
    /// </summary>
    public static (Dataset? Data, string? Problem) FitEvaluationTable(string fileName, byte[] content, DatasetSchema schema, Metric metric)
    {
        var (table, problem) = CompetitionDraft.ReadTable("file", fileName, content);
        if (table is null) return (null, problem);
        try
        {
            // Read again with the competition's kind for each of its columns (a code such as 3 stays a category where it is one).
            var specs = table.Data.Columns.Select(c => new ColumnSpec(c.Name, schema.Find(c.Name)?.Kind ?? c.Kind)).ToArray();
            var data = CsvDatasetLoader.Load(content, new CsvLoadOptions(Schema: new DatasetSchema(specs)));
            return (EvaluationTableReplay.Read(data, schema, SystemVersions.TranscriptsFor(metric), Path.GetFileName(fileName)), null);
        }
        catch (ScoringInputException e)
        {
            // The engine's message starts with the file name: kept as the deployer wrote it.
            return (null, "Your table does not fit the competition's evaluation table: " + e.Message + (e.Message.EndsWith('.') ? "" : "."));
        }
    }

    /// <summary>Starts the replay of the user's own upload; null, or a message (a second start is refused, nothing is queued twice).</summary>
    public async Task<string?> StartReplayAsync(Guid uploadId, string userId, CancellationToken ct = default)
    {
        var upload = await db.DeployerUploads.AsNoTracking().Where(u => u.Id == uploadId && u.OwnerId == userId)
            .Select(u => new { u.Id, u.CompetitionId }).SingleOrDefaultAsync(ct);
        if (upload is null) return "That upload does not exist (it may have been deleted).";
        if (!await db.DeployedBy(userId).AnyAsync(c => c.Id == upload.CompetitionId, ct)) return "You are no longer a deployer of this competition.";
        if (await db.ReplayRuns.AnyAsync(r => r.UploadId == uploadId, ct)) return AlreadyStarted;
        var run = new ReplayRun { UploadId = uploadId, CompetitionId = upload.CompetitionId, OwnerId = userId, CreatedAt = time.GetUtcNow() };
        db.ReplayRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two starts at once: the unique index on the upload lets one through.
            db.ChangeTracker.Clear();
            return AlreadyStarted;
        }
        try
        {
            run.JobId = jobs.Enqueue<ReplayJob>(job => job.RunAsync(run.Id, CancellationToken.None));
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError("Enqueueing replay {RunId} failed: {Exception}", run.Id, e.WithoutMessage());
            await db.ReplayRuns.Where(r => r.Id == run.Id).ExecuteDeleteAsync(CancellationToken.None);
            return "The replay could not be queued; try again in a minute.";
        }
        return null;
    }

    public const string AlreadyStarted = "This file's replay has already been started: its report is below. Upload the file again to replay it anew.";

    /// <summary>Deletes the user's own upload and every report made from it, for good. False when it is not theirs (or gone).</summary>
    public async Task<bool> DeleteAsync(Guid uploadId, string userId, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.ReplayRuns.Where(r => r.UploadId == uploadId && r.OwnerId == userId).ExecuteDeleteAsync(ct);
        var deleted = await db.DeployerUploads.Where(u => u.Id == uploadId && u.OwnerId == userId).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return deleted > 0;
    }
}
