using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>
/// The runnable models and groups of one competition: ONNX files registered by content id (SHA-256), bound to the
/// competition's schema and checked once, plus optional in-memory predictors. Group masks are cached per dataset,
/// so the protected groups of a long decision list are evaluated once per holdout. Thread-safe.
/// </summary>
public sealed class ModelCatalog(DatasetSchema schema, LabelDomain? label, ModelLimits? limits = null, FeatureCoding? coding = null)
    : IModelCatalog, IDisposable
{
    private readonly ConcurrentDictionary<string, IRowPredictor> _predictors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IRowPredictor> _groupModels = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<Dataset, ConcurrentDictionary<GroupRef, RowSet>> _masks = new();

    /// <summary>The content id of a model file: lower-case hex SHA-256 of its bytes.</summary>
    public static string ContentId(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Loads, binds and (given a sample) smoke-tests an ONNX model, and registers it under its content id. An untrusted
    /// model (the default: anything a participant uploaded) runs in a model host (<see cref="HostedOnnxModel"/>), a
    /// trusted one (the organizer's base model) in this process.
    /// </summary>
    /// <exception cref="ModelValidationException">The model cannot be used; the message says why.</exception>
    public string AddOnnx(ReadOnlyMemory<byte> onnx, ModelRole role, Dataset? smokeSample = null, ModelTrust trust = ModelTrust.Untrusted)
    {
        var id = ContentId(onnx.Span);
        var registry = role == ModelRole.Group ? _groupModels : _predictors;
        if (registry.ContainsKey(id)) return id;
        IOnnxModel model = trust == ModelTrust.Trusted
            ? OnnxModel.Load(onnx, schema, label, role, limits, coding)
            : HostedOnnxModel.Load(onnx, schema, label, role, limits, coding);
        try
        {
            if (smokeSample is not null) model.Validate(smokeSample);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        if (!registry.TryAdd(id, model)) model.Dispose();
        return id;
    }

    /// <summary>Registers an in-memory predictor (tests, synthetic ground truth) under a chosen id.</summary>
    public ModelCatalog Add(string id, IRowPredictor predictor, ModelRole role = ModelRole.Predictor)
    {
        (role == ModelRole.Group ? _groupModels : _predictors)[id] = predictor;
        return this;
    }

    public bool Contains(string modelId) => _predictors.ContainsKey(modelId) || _groupModels.ContainsKey(modelId);

    public IRowPredictor Predictor(string modelId) =>
        _predictors.TryGetValue(modelId, out var model) ? model : throw new KeyNotFoundException($"model {modelId} is not in the catalog");

    public RowSet Members(GroupRef group, Dataset data) =>
        _masks.GetOrCreateValue(data).GetOrAdd(group, g => Evaluate(g, data));

    /// <summary>
    /// A group the caller has already compiled (the platform parses a submission's expression once per job): its rows of
    /// <paramref name="data"/> are cached under <c>GroupRef.FromExpression(group.Canonical)</c>, the reference returned,
    /// so that <see cref="Members"/> and <see cref="Evaluate"/> of it on that data do not parse the text again.
    /// <see cref="Release"/> drops the rows as for any group.
    /// </summary>
    public GroupRef AddGroup(CompiledGroup group, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(group);
        var reference = GroupRef.FromExpression(group.Canonical);
        _masks.GetOrCreateValue(data).GetOrAdd(reference, _ => group.Evaluate(data));
        return reference;
    }

    /// <summary>
    /// Evaluates a group without adding it to the cache (rows cached by <see cref="AddGroup"/> are used as they are).
    /// Expressions are checked against the data's schema only, not its values: on a holdout, a text value it lacks must
    /// match no rows rather than produce an error that lists the values it has. Participants' expressions are checked
    /// against the public training data before they get here.
    /// </summary>
    public RowSet Evaluate(GroupRef group, Dataset data)
    {
        if (_masks.TryGetValue(data, out var cached) && cached.TryGetValue(group, out var rows)) return rows;
        if (group.Expression is { } expression)
            return SubgroupExpression.Parse(expression).Bind(ExpressionSchema.Of(data.Schema)).Evaluate(data);
        var model = _groupModels.TryGetValue(group.ModelId!, out var m) ? m : throw new KeyNotFoundException($"group model {group.ModelId} is not in the catalog");
        var predictions = model.PredictAll(data);
        var members = new RowSet(data.RowCount);
        for (var i = 0; i < predictions.Length; i++)
            if (predictions[i] == 1f) members.Add(i);
        return members;
    }

    /// <summary>
    /// Drops what one submission brought that <paramref name="list"/> does not use: its fix model (disposed) and the
    /// cached masks of its group. Without this, a long-lived catalog holds every submitted fix and group for as long as
    /// its competition stays busy. The caller must be the catalog's only user at that moment (the platform holds the
    /// runtime's gate), since a removed model may not be running.
    /// </summary>
    public void Release(GroupRef group, string? fixModelId, PointerDecisionList list)
    {
        if (fixModelId is not null && !list.ReferencedModelIds().Contains(fixModelId) && _predictors.TryRemove(fixModelId, out var model))
            (model as IDisposable)?.Dispose();
        if (list.Nodes.Any(n => n.Group == group)) return;
        foreach (var (_, masks) in _masks) masks.TryRemove(group, out _);
    }

    public void Dispose()
    {
        foreach (var model in _predictors.Values.Concat(_groupModels.Values).OfType<IDisposable>()) model.Dispose();
        _predictors.Clear();
        _groupModels.Clear();
    }
}
