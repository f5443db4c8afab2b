using System.Text.Json;
using System.Text.Json.Serialization;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>
/// The competition's current model f_t (docs/scoring-rules.md): the base model f_0 plus update and repair nodes, newest
/// first, with every published version's predictions on the holdout cached. Immutable: an accepted update returns a
/// new list. Serialises to JSON (models are referenced by content id; their bytes are stored beside it).
/// </summary>
public sealed class PointerDecisionList
{
    public const string FormatName = "biasbounty.decision-list/1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private PointerDecisionList(string baseModelId, string holdoutHash, IReadOnlyList<DecisionNode> nodes, IReadOnlyList<PublishedVersion> versions)
    {
        BaseModelId = baseModelId;
        HoldoutHash = holdoutHash;
        Nodes = nodes;
        Versions = versions;
    }

    /// <summary>Content id of the base model f_0.</summary>
    public string BaseModelId { get; }

    /// <summary>The holdout whose predictions are cached in <see cref="Versions"/>.</summary>
    public string HoldoutHash { get; }

    /// <summary>Nodes, oldest first; prediction reads them newest first.</summary>
    public IReadOnlyList<DecisionNode> Nodes { get; }

    /// <summary>Published versions f_0 … f_t.</summary>
    public IReadOnlyList<PublishedVersion> Versions { get; }

    public PublishedVersion Current => Versions[^1];

    /// <summary>Groups of accepted fixes, in order of acceptance: the groups that repairs protect.</summary>
    public IReadOnlyList<GroupRef> ProtectedGroups => Nodes.OfType<UpdateNode>().Select(n => n.Group).ToArray();

    /// <summary>Number of nodes (fixes and repairs) added so far: what the holdout's accept budget counts.</summary>
    public int AcceptedCount => Nodes.Count;

    /// <summary>
    /// The base "model" of an evaluation-table competition, whose losses come from the organizer's error and size
    /// columns: there is nothing to run, and version 0 stands for the system the table evaluated.
    /// </summary>
    public const string EvaluationTableModelId = "evaluation-table";

    /// <summary>Starts the list of an evaluation-table competition: version 0 with no predictions to cache.</summary>
    public static PointerDecisionList ForEvaluationTable(Holdout holdout) =>
        new(EvaluationTableModelId, holdout.ContentHash, [], [new PublishedVersion(0, 0, null, new float[holdout.RowCount])]);

    /// <summary>
    /// A list to predict with, not to score: the structure of a published list (e.g. the platform's model download,
    /// which omits holdout predictions), whose versions cache no predictions. Only <see cref="Predict"/> may be used.
    /// </summary>
    public static PointerDecisionList ForPrediction(DecisionListStructure structure)
    {
        ArgumentNullException.ThrowIfNull(structure);
        var versions = structure.VersionNodeCounts.Select((count, i) => new PublishedVersion(i, count, null, [])).ToArray();
        return new PointerDecisionList(structure.BaseModelId, "", structure.Nodes, versions);
    }

    /// <summary>Starts a list at version 0: the base model's predictions on every holdout row.</summary>
    public static PointerDecisionList Create(string baseModelId, Holdout holdout, IModelCatalog catalog)
    {
        var predictions = catalog.Predictor(baseModelId).PredictAll(holdout.Data);
        return new PointerDecisionList(baseModelId, holdout.ContentHash, [], [new PublishedVersion(0, 0, null, predictions)]);
    }

    /// <summary>
    /// Applies a verified update (g → h) and repairs it (docs/scoring-rules.md): f' = (g → h) + f_t; then, for every protected
    /// group g_j and earlier version f_ℓ, while μ(g_j)·(L(f', g_j) − L(f_ℓ, g_j)) ≥ ε on the whole holdout, adds the
    /// repair (g_j → ℓ*) with ℓ* the version of lowest loss on g_j, and scans again. Publishes f_{t+1}.
    /// </summary>
    /// <param name="groupRows">Members of g on the holdout.</param>
    /// <param name="fixPredictions">h's predictions on the rows of g, in ascending row order.</param>
    public UpdateResult ApplyUpdate(
        GroupRef group, RowSet groupRows, string fixModelId, float[] fixPredictions, string? submissionId,
        Holdout holdout, Metric metric, double epsilon, float lossCap, IModelCatalog catalog)
    {
        if (holdout.ContentHash != HoldoutHash)
            throw new InvalidOperationException("the decision list's cached predictions belong to another holdout");
        var rows = groupRows.ToIndices();
        if (rows.Length != fixPredictions.Length)
            throw new ArgumentException($"{fixPredictions.Length} fix predictions for {rows.Length} group rows", nameof(fixPredictions));

        var predictions = (float[])Current.HoldoutPredictions.Clone();
        for (var i = 0; i < rows.Length; i++) predictions[rows[i]] = fixPredictions[i];
        var nodes = new List<DecisionNode>(Nodes) { new UpdateNode(group, fixModelId, submissionId) };

        var eligible = metric.Eligible(holdout.Y);
        var totalEligible = Math.Max(1, eligible.Count());
        // Losses and shares are measured on the metric's eligible rows; a repair rewrites every member's prediction,
        // as Predict will, so the cached predictions stay those of the published model.
        var protectedGroups = ProtectedGroups.Select(g =>
        {
            var members = catalog.Members(g, holdout.Data);
            var measured = members.And(eligible);
            return (Group: g, Rows: measured.ToIndices(), Members: members.ToIndices(), Share: (double)measured.Count() / totalEligible);
        }).Where(p => p.Rows.Length > 0).ToArray();
        var versionLosses = protectedGroups.Select(p => Versions.Select(v => MeanLoss(v.HoldoutPredictions, p.Rows, holdout.Y, metric, lossCap)).ToArray()).ToArray();

        var repairs = new List<RepairNode>();
        var maxRepairs = (int)Math.Ceiling(1 / epsilon) + protectedGroups.Length; // each repair lowers total loss by ≥ ε
        bool added;
        do
        {
            added = false;
            for (var j = 0; j < protectedGroups.Length && !added; j++)
            {
                var (protectedGroup, memberRows, allMembers, share) = protectedGroups[j];
                var current = MeanLoss(predictions, memberRows, holdout.Y, metric, lossCap);
                var best = ArgMin(versionLosses[j]);
                if (share * (current - versionLosses[j][best]) < epsilon) continue;
                var target = Versions[best].HoldoutPredictions;
                foreach (var row in allMembers) predictions[row] = target[row];
                var repair = new RepairNode(protectedGroup, Versions[best].Number);
                nodes.Add(repair);
                repairs.Add(repair);
                added = true;
                if (repairs.Count > maxRepairs)
                    throw new InvalidOperationException("repairs did not converge; this contradicts the bound of the repair rule");
            }
        } while (added);

        var published = new PublishedVersion(Current.Number + 1, nodes.Count, submissionId, predictions);
        var list = new PointerDecisionList(BaseModelId, HoldoutHash, nodes, [.. Versions, published]);
        return new UpdateResult(list, repairs);
    }

    /// <summary>
    /// The same model on a fresh holdout (docs/scoring-rules.md: a refresh keeps the model): the same base model, nodes and
    /// published versions, with every version's predictions computed again on <paramref name="holdout"/>'s rows.
    /// </summary>
    public PointerDecisionList OnHoldout(Holdout holdout, IModelCatalog catalog)
    {
        var memo = new Dictionary<int, float[]>();
        var versions = Versions.Select(v => v with { HoldoutPredictions = PredictVersion(holdout.Data, catalog, v.Number, memo) }).ToArray();
        return new PointerDecisionList(BaseModelId, holdout.ContentHash, Nodes, versions);
    }

    /// <summary>Cached holdout predictions of a published version.</summary>
    public float[] HoldoutPredictions(int version) => Versions[version].HoldoutPredictions;

    /// <summary>
    /// Predicts new data with a published version (default: the current one): the first node, newest first, whose
    /// group claims a row decides it; repairs defer to their target version; unclaimed rows get the base model.
    /// </summary>
    public float[] Predict(Dataset data, IModelCatalog catalog, int? version = null)
    {
        var memo = new Dictionary<int, float[]>();
        return PredictVersion(data, catalog, version ?? Current.Number, memo);
    }

    private float[] PredictVersion(Dataset data, IModelCatalog catalog, int version, Dictionary<int, float[]> memo)
    {
        if (memo.TryGetValue(version, out var cached)) return cached;
        if (version < 0 || version >= Versions.Count) throw new ArgumentOutOfRangeException(nameof(version), $"no version {version}");
        var result = catalog.Predictor(BaseModelId).PredictAll(data);
        // Applying nodes oldest to newest, each overwriting its rows, gives every row to the newest node claiming it.
        foreach (var node in Nodes.Take(Versions[version].NodeCount))
        {
            var rows = catalog.Members(node.Group, data).ToIndices();
            if (rows.Length == 0) continue;
            var values = node switch
            {
                UpdateNode update => catalog.Predictor(update.ModelId).Predict(data, rows),
                RepairNode repair => Gather(PredictVersion(data, catalog, repair.TargetVersion, memo), rows),
                _ => throw new InvalidOperationException($"unknown node {node.GetType().Name}"),
            };
            for (var i = 0; i < rows.Length; i++) result[rows[i]] = values[i];
        }
        memo[version] = result;
        return result;
    }

    /// <summary>Mean loss of <paramref name="predictions"/> over <paramref name="rows"/> (0 for no rows).</summary>
    public static double MeanLoss(float[] predictions, int[] rows, float[] y, Metric metric, float lossCap)
    {
        if (rows.Length == 0) return 0;
        var definition = metric.Definition();
        double sum = 0;
        foreach (var row in rows) sum += definition.Loss(y[row], predictions[row], lossCap);
        return sum / rows.Length;
    }

    public string ToJson() => JsonSerializer.Serialize(new Document(FormatName, BaseModelId, HoldoutHash, Nodes, Versions), Json);

    /// <summary>Reads a list written by <see cref="ToJson"/>; writing it again gives the same bytes.</summary>
    /// <exception cref="ScoringInputException">Not a decision list of this format.</exception>
    public static PointerDecisionList FromJson(string json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ScoringInputException($"not a decision list: {e.Message}", e);
        }
        if (document is null || document.Format != FormatName)
            throw new ScoringInputException($"not a decision list of format {FormatName}");
        if (document.BaseModelId is null || document.HoldoutHash is null || document.Nodes is null || document.Versions is null)
            throw new ScoringInputException("the decision list lacks its base model, holdout hash, nodes or versions");
        if (document.Versions.Count == 0 || document.Versions[0].NodeCount != 0)
            throw new ScoringInputException("a decision list starts with version 0 and no nodes");
        for (var i = 0; i < document.Versions.Count; i++)
            if (document.Versions[i].Number != i || document.Versions[i].NodeCount > document.Nodes.Count)
                throw new ScoringInputException($"version {i} of the decision list is inconsistent");
        return new PointerDecisionList(document.BaseModelId, document.HoldoutHash, document.Nodes, document.Versions);
    }

    /// <summary>Every model id the list references (base, fixes, group models): the blobs to store beside the JSON.</summary>
    /// <summary>The models the list runs (none for an evaluation table's version 0, which stands for no model).</summary>
    public IReadOnlySet<string> ReferencedModelIds() =>
        Nodes.SelectMany(n => new[] { (n as UpdateNode)?.ModelId, n.Group.ModelId }).Append(BaseModelId)
            .OfType<string>().Where(id => id != EvaluationTableModelId).ToHashSet(StringComparer.Ordinal);

    private static float[] Gather(float[] source, int[] rows)
    {
        var result = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++) result[i] = source[rows[i]];
        return result;
    }

    private static int ArgMin(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] < values[best]) best = i;
        return best;
    }

    private sealed record Document(
        string Format, string BaseModelId, string HoldoutHash, IReadOnlyList<DecisionNode> Nodes, IReadOnlyList<PublishedVersion> Versions);
}

/// <summary>The list after an accepted update, and the repairs the update needed.</summary>
public sealed record UpdateResult(PointerDecisionList List, IReadOnlyList<RepairNode> Repairs);
