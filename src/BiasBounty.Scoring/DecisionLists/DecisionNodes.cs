using System.Text.Json.Serialization;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>
/// A group as the decision list stores it: either a subgroup expression (canonical text) or the content id of an
/// ONNX group model whose output 1 means "in the group". Exactly one is set.
/// </summary>
public sealed record GroupRef
{
    [JsonConstructor]
    public GroupRef(string? expression, string? modelId)
    {
        if ((expression is null) == (modelId is null))
            throw new ArgumentException("a group is either an expression or a group model, not both or neither");
        Expression = expression;
        ModelId = modelId;
    }

    public string? Expression { get; }

    public string? ModelId { get; }

    public static GroupRef FromExpression(string expression) => new(expression, null);

    /// <summary>A readable label for reports: the expression, or "group model 1a2b3c4d".</summary>
    public override string ToString() => Expression ?? $"group model {ModelId![..Math.Min(8, ModelId!.Length)]}";
}

/// <summary>One node of the pointer decision list; nodes are stored oldest first and read newest first.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(UpdateNode), "update")]
[JsonDerivedType(typeof(RepairNode), "repair")]
public abstract record DecisionNode(GroupRef Group);

/// <summary>Sends rows of <see cref="DecisionNode.Group"/> to the fix model <paramref name="ModelId"/>.</summary>
public sealed record UpdateNode(GroupRef Group, string ModelId, string? SubmissionId) : DecisionNode(Group);

/// <summary>Sends rows of a protected group back to what published version <paramref name="TargetVersion"/> predicted.</summary>
public sealed record RepairNode(GroupRef Group, int TargetVersion) : DecisionNode(Group);

/// <summary>
/// A published model version f_t: the first <paramref name="NodeCount"/> nodes over the base model, and its cached
/// per-row predictions on the holdout (the platform never re-runs old versions on the holdout).
/// </summary>
public sealed record PublishedVersion(
    int Number,
    int NodeCount,
    string? SubmissionId,
    [property: JsonConverter(typeof(Float32ArrayBase64Converter))] float[] HoldoutPredictions);
