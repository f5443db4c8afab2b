using System.Text.Json;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace BiasBounty.Web.Competitions;

/// <summary>
/// A competition's public training file, parsed, with what participants are told about it. Everything a participant
/// sees before scoring (group sizes, expression errors, the data card, the smoke test of an uploaded fix) comes from
/// here and never from the holdout, so no message can reveal what the holdout holds.
/// </summary>
public sealed record PublicData(Dataset Training, DataCard Card, FeatureCoding Coding, ExpressionSchema Expressions)
{
    /// <summary>The first public rows, on which an uploaded model is smoke-tested at upload.</summary>
    public Dataset Smoke { get; } = Training.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, Training.RowCount)).ToArray());

    public static PublicData Of(Dataset training) =>
        new(training, DataCard.Of(training), FeatureCoding.Of(training), ExpressionSchema.Of(training));
}

/// <summary>Parses public training files once per content hash (web and worker processes alike).</summary>
public sealed class PublicDataCache(IMemoryCache cache)
{
    /// <summary>The competition's public data, or null when it has no training file yet.</summary>
    public async Task<PublicData?> GetAsync(ApplicationDbContext db, Guid competitionId, CancellationToken ct = default)
    {
        var file = await db.Competitions.Where(c => c.Id == competitionId && c.TrainingFileId != null)
            .Select(c => new { c.TrainingFile!.Id, c.TrainingFile.ContentHash, c.TrainingFile.LoadSchemaJson }).SingleOrDefaultAsync(ct);
        if (file is null) return null;
        var key = $"public:{file.ContentHash}:{file.LoadSchemaJson?.GetHashCode()}";
        if (cache.TryGetValue(key, out PublicData? data) && data is not null) return data;
        var content = await db.StoredFiles.Where(f => f.Id == file.Id).Select(f => f.Content).SingleAsync(ct);
        return cache.Set(key, PublicData.Of(CompetitionData.LoadDataset(content, file.LoadSchemaJson)),
            new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(30) });
    }

    /// <summary>The competition's published schema (columns, kinds, roles; no values), from <c>SchemaJson</c>.</summary>
    public static ExpressionSchema SchemaOnly(Competition competition) =>
        ExpressionSchema.Of(JsonSerializer.Deserialize<DatasetSchema>(competition.SchemaJson, SchemaFile.Json)
            ?? throw new ScoringInputException("the competition's schema is empty"));
}
