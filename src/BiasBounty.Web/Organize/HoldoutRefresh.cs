using System.Globalization;
using System.Text.Json;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Organize;

/// <summary>What the organizer is told after a refresh attempt.</summary>
public sealed record RefreshOutcome(bool Refreshed, string Message);

/// <summary>
/// Replaces a running competition's holdout with fresh rows (docs/scoring-rules.md): the upload is checked exactly as the
/// wizard checks a holdout, stored as a new file, and the competition points at it; the model is kept (its versions,
/// nodes and fixes; only the newest version's cached predictions are recomputed on the new rows), and the two
/// alpha-investing ledgers and the accept budget start again. All under the competition's lock, so no scoring decision
/// straddles the switch. Workers find the new holdout by itself: their caches are keyed by the holdout's content hash,
/// and every job reads the competition's current holdout file first.
/// </summary>
public sealed class HoldoutRefresh(ApplicationDbContext db, CompetitionRuntimeCache runtimes, TimeProvider time, ILogger<HoldoutRefresh> log)
{
    public const string ClosedMessage = "This competition is closed, so its holdout can no longer be refreshed.";

    public const string ReusedMessage =
        "This exact file has already been this competition's holdout. A refresh needs fresh rows that participants have not probed.";

    public const string ModelFailsMessage =
        "The current model (the base model with the accepted fixes) could not predict the new holdout's rows. Check that every " +
        "feature holds values of the kinds and categories of the training file; the old holdout stays in use.";

    public async Task<RefreshOutcome> RefreshAsync(Guid competitionId, string fileName, byte[] content, string actorId, CancellationToken ct = default)
    {
        var (table, unreadable) = CompetitionDraft.ReadTable("holdout file", fileName, content);
        if (table is null) return new(false, unreadable!);
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == competitionId, ct);
        if (competition.Status == CompetitionStatus.Closed) return new(false, ClosedMessage);
        var schema = JsonSerializer.Deserialize<DatasetSchema>(competition.SchemaJson, SchemaFile.Json)
            ?? throw new InvalidOperationException($"competition {competitionId} has no schema");
        var (holdout, misfit) = CompetitionDraft.FitHoldout(table, schema);
        if (holdout is null) return new(false, misfit!);
        var stored = StoredFile.Create(competitionId, StoredFileKind.Holdout, SafeName(fileName), holdout.Content, holdout.LoadSchemaJson);
        if (await db.StoredFiles.AnyAsync(f => f.CompetitionId == competitionId && f.Kind == StoredFileKind.Holdout && f.ContentHash == stored.ContentHash, ct))
            return new(false, ReusedMessage);
        if (await db.StoredFiles.AnyAsync(f => f.Id == competition.TrainingFileId && f.ContentHash == stored.ContentHash, ct))
            return new(false, "This is the public training file; the holdout must be rows that participants cannot see.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CompetitionLock.AcquireAsync(db, competitionId, ct);
        var tracked = await db.Competitions.SingleAsync(c => c.Id == competitionId, ct);
        if (tracked.Status == CompetitionStatus.Closed) return new(false, ClosedMessage);
        var previousFileId = tracked.HoldoutFileId;
        db.StoredFiles.Add(stored);
        tracked.HoldoutFileId = stored.Id;
        await db.SaveChangesAsync(ct);

        var latest = await db.DecisionListVersions.Where(v => v.CompetitionId == competitionId).OrderByDescending(v => v.Version).FirstAsync(ct);
        PointerDecisionList moved;
        Holdout newHoldout;
        try
        {
            var (runtime, exclusive) = await runtimes.AcquireAsync(db, tracked, ct);
            using var held = exclusive;
            var list = PointerDecisionList.FromJson(latest.ListJson);
            await CompetitionRuntimeCache.EnsureModelsAsync(db, competitionId, runtime, list, ct);
            moved = list.OnHoldout(runtime.Holdout, runtime.Catalog);
            newHoldout = runtime.Holdout;
        }
        catch (ScoringInputException e)
        {
            // The engine's message could quote a holdout value: it goes to the log, the organizer gets the plain reason.
            log.LogWarning("The model of competition {CompetitionId} failed on a new holdout: {Exception}", competitionId, e.WithoutMessage());
            return new(false, ModelFailsMessage);
        }
        // The scoring job reads the newest version's cached predictions, so they must be those of the new rows.
        latest.ListJson = moved.ToJson();
        // Every version's public error is measured again on the new rows, so the improvement chart compares like with like.
        var settings = tracked.ScoringSettings();
        foreach (var version in await db.DecisionListVersions.Where(v => v.CompetitionId == competitionId).ToListAsync(ct))
            version.FeedbackLoss = CompetitionData.FeedbackLoss(moved, version.Version, newHoldout, settings);
        var rows = newHoldout.RowCount;

        var ledger = await db.Ledgers.SingleAsync(l => l.CompetitionId == competitionId, ct);
        var before = ledger.Ledgers;
        var now = time.GetUtcNow();
        ledger.Ledgers = Ledgers.Start(tracked.Settings.FdrAlpha);
        ledger.UpdatedAt = now;
        var previousName = await db.StoredFiles.Where(f => f.Id == previousFileId).Select(f => f.FileName).SingleOrDefaultAsync(ct);
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.HoldoutRefreshed, At = now,
            Detail = $"Holdout '{previousName}' replaced by '{stored.FileName}' ({rows:N0} rows, sha256 {stored.ContentHash[..12]}); " +
                     $"the model stays at version {latest.Version}. The ledgers of {before.Teams.Count} teams restart after {before.FindingTestsRun} finding tests " +
                     $"and {before.FixTestsRun} fix tests; " +
                     $"{before.AcceptedOnHoldout} accepts of the budget were used.",
        });
        await PublicRevision.BumpAsync(db, competitionId, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new(true, $"The new holdout ({rows:N0} rows) is in use for the next scoring. The model is kept at version {latest.Version}; " +
                         "the alpha-investing ledgers and the accept budget have started again.");
    }


    private static string SafeName(string fileName) => Path.GetFileName(fileName) is { Length: > 0 and <= 200 } name ? name : "holdout.csv";
}
