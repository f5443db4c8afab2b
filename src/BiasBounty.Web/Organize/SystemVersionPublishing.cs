using BiasBounty.Scoring;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Audit;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Organize;

/// <summary>Overall rates (ΣE/ΣN, as fractions) of the newest published version and of the upload, on the holdout's two parts.</summary>
public sealed record SystemVersionPreview(int Number, int Items, double FeedbackBefore, double FeedbackAfter, double ConfirmationBefore, double ConfirmationAfter);

/// <summary>What the organizer is told: a preview or a published version, or why not.</summary>
public sealed record SystemVersionOutcome(bool Succeeded, string Message, SystemVersionPreview? Preview = null);

/// <summary>
/// Publishes a new version of the system an evaluation-table competition measures (a retrained recogniser): the upload
/// must evaluate exactly the competition's items (public part and holdout, matched by the item id column) with the same
/// feature values, and is refused otherwise with nothing stored. Publishing stores the file and the version under the
/// competition's lock, then enqueues <see cref="RetestFindingsJob"/> for the verified findings.
/// </summary>
public sealed class SystemVersionPublishing(ApplicationDbContext db, IBackgroundJobClient jobs, TimeProvider time, ILogger<SystemVersionPublishing> log)
{
    public const string NotAnEvaluationTableMessage =
        "Only an evaluation-table competition (word or character error rate, or a loss column) takes new system versions; a model competition improves through accepted fixes.";

    public const string What = "evaluation of the new version";

    /// <summary>Checks the upload and measures it against the newest published version, storing nothing.</summary>
    public async Task<SystemVersionOutcome> PreviewAsync(Guid competitionId, string fileName, byte[] content, CancellationToken ct = default)
    {
        var (checkedUpload, problem) = await CheckAsync(competitionId, fileName, content, ct);
        return checkedUpload is null ? new(false, problem!) : new(true, "The upload matches every item of the competition.", checkedUpload.Preview);
    }

    /// <summary>Checks the upload again and publishes it as the next version; the re-test job is enqueued after the commit.</summary>
    public async Task<SystemVersionOutcome> PublishAsync(Guid competitionId, string fileName, byte[] content, string name, string actorId, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length == 0) return new(false, "Name the version: say what changed, e.g. “retrained on noisy data”.");
        if (name.Length > SystemVersion.MaxNameLength) return new(false, $"The name is longer than {SystemVersion.MaxNameLength} characters.");
        var (checkedUpload, problem) = await CheckAsync(competitionId, fileName, content, ct);
        if (checkedUpload is null) return new(false, problem!);

        var stored = StoredFile.Create(competitionId, StoredFileKind.SystemVersion, SafeName(fileName), content);
        SystemVersion version;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await CompetitionLock.AcquireAsync(db, competitionId, ct);
            if (await db.SystemVersions.Where(v => v.CompetitionId == competitionId && v.File!.ContentHash == stored.ContentHash)
                    .Select(v => (int?)v.Number).FirstOrDefaultAsync(ct) is { } same)
                return new(false, $"This exact file is already version {same}.");
            var number = await NextNumberAsync(competitionId, ct);
            var now = time.GetUtcNow();
            version = new SystemVersion
            {
                CompetitionId = competitionId, Number = number, Name = name, FileId = stored.Id, PublishedById = actorId, PublishedAt = now,
                FeedbackLoss = checkedUpload.Preview.FeedbackAfter, ConfirmationLoss = checkedUpload.Preview.ConfirmationAfter,
            };
            db.StoredFiles.Add(stored);
            db.SystemVersions.Add(version);
            db.AuditEvents.Add(new AuditEvent
            {
                CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.SystemVersionPublished, At = now,
                Detail = $"System version {number} “{name}” published from '{stored.FileName}' ({checkedUpload.Preview.Items:N0} items, sha256 " +
                         $"{stored.ContentHash[..12]}); feedback-part rate {Percent(checkedUpload.Preview.FeedbackBefore)} → {Percent(checkedUpload.Preview.FeedbackAfter)}.",
            });
            await db.SaveChangesAsync(ct);
            await PublicRevision.BumpAsync(db, competitionId, ct);
            await tx.CommitAsync(ct);
        }
        try
        {
            jobs.Enqueue<RetestFindingsJob>(job => job.RunAsync(version.Id, CancellationToken.None));
        }
        catch (Exception e)
        {
            // The version stands; its findings are re-tested when the job is enqueued again (the page offers it).
            log.LogError("Enqueueing the re-test of system version {Number} of {CompetitionId} failed: {Exception}", version.Number, competitionId, e.WithoutMessage());
        }
        return new(true, $"Version {version.Number} is published. Every verified finding is being re-tested on it; the leaderboard shows the results as they arrive.",
            checkedUpload.Preview with { Number = version.Number });
    }

    /// <summary>Enqueues the re-test of a published version again (it skips findings already re-tested).</summary>
    public async Task<bool> RetestAgainAsync(Guid competitionId, int number, CancellationToken ct = default)
    {
        var id = await db.SystemVersions.Where(v => v.CompetitionId == competitionId && v.Number == number).Select(v => (Guid?)v.Id).SingleOrDefaultAsync(ct);
        if (id is not { } versionId) return false;
        jobs.Enqueue<RetestFindingsJob>(job => job.RunAsync(versionId, CancellationToken.None));
        return true;
    }

    private sealed record CheckedUpload(SystemVersionPreview Preview);

    private async Task<(CheckedUpload? Upload, string? Problem)> CheckAsync(Guid competitionId, string fileName, byte[] content, CancellationToken ct)
    {
        var competition = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == competitionId, ct);
        if (!competition.TakesVersions()) return (null, NotAnEvaluationTableMessage);
        var (table, unreadable) = CompetitionDraft.ReadTable(What, fileName, content);
        if (table is null) return (null, unreadable);
        var parts = await SystemVersions.PartsAsync(db, competition, ct);
        SystemVersionEvaluation after;
        try
        {
            after = SystemVersions.Evaluate(competition, parts, table.Data, SafeName(fileName));
        }
        catch (ScoringInputException e)
        {
            // The engine's messages name lines, columns and counts of the upload, never a stored value.
            return (null, "The upload does not match the competition's items: " + e.Message.TrimEnd('.') + ".");
        }
        var previous = await db.SystemVersions.AsNoTracking().Where(v => v.CompetitionId == competitionId).OrderByDescending(v => v.Number)
            .Select(v => new { v.FeedbackLoss, v.ConfirmationLoss }).FirstOrDefaultAsync(ct);
        double feedbackBefore, confirmationBefore;
        if (previous is not null) (feedbackBefore, confirmationBefore) = (previous.FeedbackLoss, previous.ConfirmationLoss);
        else
        {
            var original = SystemVersions.Measure(competition, parts[^1]);
            (feedbackBefore, confirmationBefore) = (original.FeedbackLoss, original.ConfirmationLoss);
        }
        var number = await NextNumberAsync(competitionId, ct);
        return (new CheckedUpload(new SystemVersionPreview(number, after.Items, feedbackBefore, after.FeedbackLoss, confirmationBefore, after.ConfirmationLoss)), null);
    }

    private async Task<int> NextNumberAsync(Guid competitionId, CancellationToken ct) =>
        (await db.SystemVersions.Where(v => v.CompetitionId == competitionId).MaxAsync(v => (int?)v.Number, ct) ?? 0) + 1;

    public static string Percent(double rate) => double.IsFinite(rate) ? (100 * rate).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " %" : "—";

    private static string SafeName(string fileName) => Path.GetFileName(fileName) is { Length: > 0 and <= 200 } name ? name : "version.csv";
}
