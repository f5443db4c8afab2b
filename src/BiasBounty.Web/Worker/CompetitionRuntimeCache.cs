using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Worker;

/// <summary>A competition's parsed holdout and its catalog of loaded models, as a worker keeps them between jobs.</summary>
public sealed record CompetitionRuntime(Holdout Holdout, ModelCatalog Catalog)
{
    /// <summary>The first rows of the holdout, on which every new model is smoke-tested (errors never show values).</summary>
    public Dataset Smoke { get; } = Holdout.Data.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, Holdout.RowCount)).ToArray());

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Use of the catalog to oneself within this process, until the result is disposed. The competition's advisory lock
    /// already gives it across processes; this keeps it true should the database session (and with it the lock) die
    /// mid-decision, because <see cref="ModelCatalog.Release"/> disposes models another decision could be running.
    /// </summary>
    public async Task<IDisposable> ExclusiveAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new GateRelease(_gate);
    }

    private volatile bool _retired;

    /// <summary>True once the cache let go of this runtime and its catalog was disposed: fetch a fresh one.</summary>
    public bool IsRetired => _retired;

    /// <summary>
    /// Disposes the catalog's ONNX sessions (native memory the garbage collector does not see) once no decision is using
    /// them: called when the cache evicts the runtime. A decision that fetched it just before waits here and then sees
    /// <see cref="IsRetired"/>.
    /// </summary>
    public async Task RetireAsync()
    {
        using var exclusive = await ExclusiveAsync(CancellationToken.None);
        _retired = true;
        Catalog.Dispose();
    }

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}

/// <summary>
/// Worker memory: holdouts parsed once per content hash (and split seed), model catalogs once per competition and
/// holdout. Scoring drafts fetch entries without the competition's lock, so two drafts in one process may both build a
/// missing entry at start-up; the second replaces the first, which is retired once its user lets go of its gate.
/// </summary>
public sealed class CompetitionRuntimeCache(IMemoryCache cache, PublicDataCache publicData, IOptions<ScoringWorkerOptions> options)
{
    public async Task<CompetitionRuntime> GetAsync(ApplicationDbContext db, Competition competition, CancellationToken ct)
    {
        var settings = competition.ScoringSettings();
        var holdoutFile = await db.StoredFiles.Where(f => f.Id == competition.HoldoutFileId)
            .Select(f => new { f.Id, f.ContentHash, f.LoadSchemaJson }).SingleAsync(ct);
        var holdoutKey = $"holdout:{holdoutFile.ContentHash}:{settings.SplitSeed}:{settings.FeedbackShare}:{holdoutFile.LoadSchemaJson?.GetHashCode()}";
        if (!cache.TryGetValue(holdoutKey, out Holdout? holdout) || holdout is null)
        {
            var content = await db.StoredFiles.Where(f => f.Id == holdoutFile.Id).Select(f => f.Content).SingleAsync(ct);
            var data = CompetitionData.LoadDataset(content, holdoutFile.LoadSchemaJson);
            holdout = cache.Set(holdoutKey, Holdout.Create(data, settings.FeedbackShare, settings.SplitSeed, holdoutFile.ContentHash), Entry());
        }

        var runtimeKey = $"runtime:{competition.Id}:{holdoutKey}";
        if (!cache.TryGetValue(runtimeKey, out CompetitionRuntime? runtime) || runtime is null)
        {
            // Models without an embedded coding read text columns with the codes participants were given (the public
            // data card's), never the holdout's own: those would differ where the two files hold different categories.
            var coding = (await publicData.GetAsync(db, competition.Id, ct))?.Coding;
            var catalog = new ModelCatalog(holdout.Data.Schema, holdout.Label, new ModelLimits(settings.MaxModelBytes), coding);
            runtime = cache.Set(runtimeKey, new CompetitionRuntime(holdout, catalog), Entry()
                .RegisterPostEvictionCallback(static (_, value, _, _) => _ = (value as CompetitionRuntime)?.RetireAsync()));
        }
        return runtime;
    }

    /// <summary>
    /// The competition's runtime with the use of its catalog to oneself (<see cref="CompetitionRuntime.ExclusiveAsync"/>),
    /// never a retired one.
    /// </summary>
    public async Task<(CompetitionRuntime Runtime, IDisposable Exclusive)> AcquireAsync(ApplicationDbContext db, Competition competition, CancellationToken ct)
    {
        while (true)
        {
            var runtime = await GetAsync(db, competition, ct);
            var exclusive = await runtime.ExclusiveAsync(ct);
            if (!runtime.IsRetired) return (runtime, exclusive);
            exclusive.Dispose(); // evicted while this caller waited: the next GetAsync builds a fresh one
        }
    }

    /// <summary>Loads the stored models the list references that the catalog does not hold yet.</summary>
    public static async Task EnsureModelsAsync(ApplicationDbContext db, Guid competitionId, CompetitionRuntime runtime, PointerDecisionList list, CancellationToken ct)
    {
        var missing = list.ReferencedModelIds().Where(id => !runtime.Catalog.Contains(id)).ToArray();
        if (missing.Length == 0) return;
        var files = await db.StoredFiles
            .Where(f => f.CompetitionId == competitionId && f.Kind == StoredFileKind.Model && missing.Contains(f.ContentHash))
            .Select(f => new { f.ContentHash, f.Content }).ToListAsync(ct);
        foreach (var file in files)
            runtime.Catalog.AddOnnx(file.Content, ModelRole.Predictor, null, file.ContentHash == list.BaseModelId ? ModelTrust.Trusted : ModelTrust.Untrusted);
    }

    private MemoryCacheEntryOptions Entry() => new() { SlidingExpiration = options.Value.CacheSlidingExpiration };
}
