using System.IO.Compression;
using System.Text.Json;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Competitions;

/// <summary>
/// What a participant may download: the public training file, the data card as JSON and the current model. The
/// holdout is never among them, and the decision list is published without its cached holdout predictions.
/// </summary>
public static class CompetitionDownloads
{
    public static IEndpointRouteBuilder MapCompetitionDownloads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/competitions/{slug}/download").AllowAnonymous();
        group.MapGet("/training", TrainingAsync);
        group.MapGet("/schema.json", SchemaAsync);
        group.MapGet("/model", ModelAsync);
        group.MapGet("/model.onnx", OnnxAsync);
        return app;
    }

    /// <summary>
    /// The public training data as gzip CSV with a header line, written from the parsed data (the stored file may be
    /// headerless, with its column names in a sidecar the participant would not have), so <c>bbounty check-group --data
    /// FILE 'age >= 60'</c> and any CSV reader work on it as downloaded.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, NotFound>> TrainingAsync(string slug, ApplicationDbContext db, PublicDataCache cache, CancellationToken ct)
    {
        var id = await Public(db, slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        var data = id is { } competitionId ? await cache.GetAsync(db, competitionId, ct) : null;
        return data is null ? TypedResults.NotFound()
            : TypedResults.File(BiasBounty.Scoring.Data.CsvDatasetWriter.ToBytes(data.Training), "application/gzip", TrainingFileName(slug));
    }

    /// <summary>The name the training download is saved as.</summary>
    public static string TrainingFileName(string slug) => $"{slug}-training.csv.gz";

    private static async Task<Results<FileContentHttpResult, NotFound>> SchemaAsync(string slug, ApplicationDbContext db, PublicDataCache cache, CancellationToken ct)
    {
        var id = await Public(db, slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        var data = id is { } competitionId ? await cache.GetAsync(db, competitionId, ct) : null;
        return data is null ? TypedResults.NotFound()
            : TypedResults.File(System.Text.Encoding.UTF8.GetBytes(data.Card.ToJson()), "application/json", $"{slug}-data-card.json");
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ModelAsync(string slug, ApplicationDbContext db, CancellationToken ct)
    {
        var id = await Public(db, slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (id is not { } competitionId) return TypedResults.NotFound();
        var latest = await db.DecisionListVersions.Where(v => v.CompetitionId == competitionId)
            .OrderByDescending(v => v.Version).Select(v => new { v.Version, v.ListJson }).FirstOrDefaultAsync(ct);
        if (latest is null) return TypedResults.NotFound();
        var list = PointerDecisionList.FromJson(latest.ListJson);
        var ids = list.ReferencedModelIds().ToArray();
        var models = await db.StoredFiles.Where(f => f.CompetitionId == competitionId && f.Kind == StoredFileKind.Model && ids.Contains(f.ContentHash))
            .Select(f => new { f.ContentHash, f.Content }).ToListAsync(ct);
        if (latest.Version == 0)
        {
            var baseModel = models.SingleOrDefault(m => m.ContentHash == list.BaseModelId);
            return baseModel is null ? TypedResults.NotFound() : TypedResults.File(baseModel.Content, "application/octet-stream", $"{slug}-model-v0.onnx");
        }
        return TypedResults.File(Zip(PublicListJson(list), models.Select(m => (m.ContentHash, m.Content))), "application/zip", $"{slug}-model-v{latest.Version}.zip");
    }

    /// <summary>
    /// One ONNX file for a published version (<c>?version=N</c>, default the newest): the decision list compiled into
    /// one graph with the competition's per-column inputs. 404 for an unknown competition or version; 409 with a
    /// sentence for an evaluation-table competition, which has no model.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, NotFound, Conflict<string>>> OnnxAsync(
        string slug, int? version, ApplicationDbContext db, ModelExport export, CancellationToken ct)
    {
        var id = await Public(db, slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (id is not { } competitionId) return TypedResults.NotFound();
        var exported = await export.GetAsync(db, competitionId, version, ct);
        if (exported is null) return TypedResults.NotFound();
        if (exported.Onnx is not { } onnx) return TypedResults.Conflict(exported.Refusal!);
        return TypedResults.File(onnx, "application/octet-stream", OnnxFileName(slug, exported.Version));
    }

    /// <summary>The name the one-file export of a version is saved as.</summary>
    public static string OnnxFileName(string slug, int version) => $"{slug}-model-v{version}-single.onnx";

    /// <summary>The decision list as participants may see it: nodes and version boundaries, no holdout predictions.</summary>
    public static string PublicListJson(PointerDecisionList list) => JsonSerializer.Serialize(new
    {
        format = PointerDecisionList.FormatName,
        baseModelId = list.BaseModelId,
        nodes = list.Nodes,
        versions = list.Versions.Select(v => new { number = v.Number, nodeCount = v.NodeCount }),
        howToPredict = "read nodes newest first (of the version's first nodeCount): a row in an update node's group gets that node's model (models/<modelId>.onnx); a row in a repair node's group gets what version targetVersion predicted; other rows fall through to the base model",
    }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });

    private static byte[] Zip(string listJson, IEnumerable<(string Id, byte[] Content)> models)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("decision-list.json").Open())) writer.Write(listJson);
            foreach (var (modelId, content) in models)
            {
                using var entry = zip.CreateEntry($"models/{modelId}.onnx").Open();
                entry.Write(content);
            }
        }
        return buffer.ToArray();
    }

    private static IQueryable<Competition> Public(ApplicationDbContext db, string slug) =>
        db.Competitions.AsNoTracking().Public().Where(c => c.Slug == slug);
}
