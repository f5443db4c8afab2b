using System.Security.Cryptography;
using System.Text;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace BiasBounty.Web.Competitions;

/// <summary>What the one-file export of a version is: the ONNX bytes, or why there is none.</summary>
public sealed record ExportedModel(int Version, byte[]? Onnx, string? Refusal);

/// <summary>
/// A published version of a competition's model as one ONNX file (<see cref="DecisionListCompiler"/>): the base model,
/// fixes and repairs inlined into one graph that takes the competition's per-column inputs, so ONNX Runtime runs it
/// without BiasBounty. Compiled on the first request and kept in memory: the file is deterministic per version (same
/// list prefix, models and public data card), compiling takes well under a second for lists of a few dozen nodes, and
/// keeping it in memory rather than in the database needs no migration and no storage that grows with every
/// version. Concurrent first requests share one compilation. The exports have a cache of their own, capped at
/// <see cref="CacheBytes"/> (an export weighs about the sum of the models it inlines), so a crawler asking for every
/// version of every competition evicts old exports instead of growing the process.
/// </summary>
public sealed class ModelExport(PublicDataCache publicData, IServiceScopeFactory scopes) : IDisposable
{
    /// <summary>The most the kept exports may weigh together.</summary>
    public const long CacheBytes = 256L * 1024 * 1024;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheBytes, TrackStatistics = true });

    /// <summary>The sentence shown instead of a download for an evaluation-table competition.</summary>
    public const string EvaluationTableRefusal =
        "This competition evaluates a system through the organizer's evaluation table (errors and sizes per row); there is no model to download or export.";

    /// <summary>The export of <paramref name="version"/> (default: the newest), or null when the competition or version does not exist.</summary>
    public async Task<ExportedModel?> GetAsync(ApplicationDbContext db, Guid competitionId, int? version, CancellationToken ct = default)
    {
        var latest = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competitionId)
            .OrderByDescending(v => v.Version).Select(v => new { v.Version, v.ListJson }).FirstOrDefaultAsync(ct);
        if (latest is null) return null;
        var wanted = version ?? latest.Version;
        if (wanted < 0 || wanted > latest.Version) return null;
        var structure = DecisionListStructure.FromJson(latest.ListJson);
        if (structure.BaseModelId == PointerDecisionList.EvaluationTableModelId) return new ExportedModel(wanted, null, EvaluationTableRefusal);
        var data = await publicData.GetAsync(db, competitionId, ct);
        if (data is null) return null;

        // The newest list holds every version as a prefix of its nodes; its hash keys the cache (the public data never changes).
        var key = $"export:{competitionId}:{wanted}:{Hash(latest.ListJson)}";
        if (!cache.TryGetValue(key, out Lazy<Task<byte[]>>? compilation) || compilation is null)
        {
            var used = ModelsOf(structure, wanted);
            var weight = await db.StoredFiles.AsNoTracking()
                .Where(f => f.CompetitionId == competitionId && f.Kind == StoredFileKind.Model && used.Contains(f.ContentHash))
                .SumAsync(f => (long)f.Content.Length, ct);
            compilation = cache.GetOrCreate(key, entry =>
            {
                entry.SlidingExpiration = TimeSpan.FromMinutes(30);
                entry.Size = Math.Max(1, weight);
                return new Lazy<Task<byte[]>>(() => CompileAsync(competitionId, structure, data, wanted, used));
            })!;
        }
        try
        {
            return new ExportedModel(wanted, await compilation.Value.WaitAsync(ct), null);
        }
        catch (Exception e) when (e is ScoringInputException or BiasBounty.Scoring.Models.ModelValidationException)
        {
            cache.Remove(key);
            return new ExportedModel(wanted, null, $"This version cannot be exported as one ONNX file: {e.Message}");
        }
        catch (Exception) when (compilation.Value.IsFaulted)
        {
            cache.Remove(key); // a fault of the platform (database) is not remembered: the next request compiles again
            throw;
        }
    }

    /// <summary>Runs in a scope of its own: the request that started it may be cancelled while others wait for it.</summary>
    private async Task<byte[]> CompileAsync(Guid competitionId, DecisionListStructure structure, PublicData data, int version, string[] used)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var models = await db.StoredFiles.AsNoTracking()
            .Where(f => f.CompetitionId == competitionId && f.Kind == StoredFileKind.Model && used.Contains(f.ContentHash))
            .ToDictionaryAsync(f => f.ContentHash, f => f.Content, StringComparer.Ordinal, CancellationToken.None);
        return DecisionListCompiler.Compile(structure, data.Training.Schema, LabelDomain.Of(data.Training), models, data.Coding, version);
    }

    /// <summary>The content hashes of the models version <paramref name="version"/> runs: the base model, the groups' and the fixes'.</summary>
    private static string[] ModelsOf(DecisionListStructure structure, int version)
    {
        var nodes = structure.Nodes.Take(structure.VersionNodeCounts[version]).ToArray();
        return nodes.Select(n => n.Group.ModelId).Concat(nodes.OfType<UpdateNode>().Select(n => n.ModelId))
            .Append(structure.BaseModelId).OfType<string>().Distinct().ToArray();
    }

    /// <summary>What the kept exports weigh now, as the cache counts it.</summary>
    public long CachedBytes => cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public void Dispose() => cache.Dispose();

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
