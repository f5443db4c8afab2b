using System.Text.Json.Serialization;

namespace BiasBounty.Scoring.Data;

/// <summary>What a column is for in a competition.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnRole>))]
public enum ColumnRole
{
    /// <summary>Shown to participants, usable in group expressions and given to models.</summary>
    Feature,

    /// <summary>The target the model predicts.</summary>
    Label,

    /// <summary>Per-row loss inputs supplied by the organizer (errors and size, e.g. word errors and reference words).</summary>
    Loss,

    /// <summary>Kept on the server: neither a model input nor usable in expressions.</summary>
    Hidden,
}

/// <summary>Name, storage kind and role of one column.</summary>
public sealed record ColumnSpec(
    string Name,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))] ColumnKind Kind,
    ColumnRole Role = ColumnRole.Feature);

/// <summary>
/// The explicit description of a dataset: columns in file order with kinds and roles, the label and its positive
/// class, and for loss-column competitions the per-row error and size columns. Serialised as the data card's JSON.
/// <see cref="ClusterColumn"/> names the column whose rows are not independent of each other (the speaker of an
/// utterance): findings are then tested cluster-robustly, and the holdout is split by cluster. <see cref="ItemIdColumn"/>
/// names the hidden column that identifies each item of an evaluation table (the utterance id): a new version of the
/// system is matched to the table by it. Both are optional, so schemas stored before them still read.
/// <see cref="ErrorCounting"/> says, for the data card, how the platform computed the error columns (null when the
/// organizer supplied them).
/// </summary>
public sealed record DatasetSchema(
    IReadOnlyList<ColumnSpec> Columns,
    string? LabelColumn = null,
    string? PositiveClass = null,
    string? LossErrorsColumn = null,
    string? LossSizeColumn = null,
    string? ClusterColumn = null,
    string? ItemIdColumn = null,
    string? ErrorCounting = null)
{
    /// <summary>The columns a model takes and expressions may use, in schema order.</summary>
    [JsonIgnore]
    public IReadOnlyList<ColumnSpec> Features => Columns.Where(c => c.Role == ColumnRole.Feature).ToArray();

    public ColumnSpec? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>A copy with the given column's role changed.</summary>
    public DatasetSchema WithRole(string column, ColumnRole role) =>
        this with { Columns = Columns.Select(c => c.Name == column ? c with { Role = role } : c).ToArray() };
}
