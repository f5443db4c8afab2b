using System.Text.Json;
using System.Text.Json.Serialization;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Data;

/// <summary>One feature as the data card documents it, with its position in the float-tensor model input.</summary>
public sealed record DataCardColumn(
    string Name,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))] ColumnKind Kind,
    int? TensorIndex,
    int DistinctCount,
    int MissingCount,
    double? Min,
    double? Max,
    IReadOnlyList<string>? Values);

/// <summary>
/// What participants are told about a competition's data, computed from the <b>public training file only</b>: the
/// feature columns with their values (for writing group expressions), the label and its balance, and the model input
/// conventions of docs/scoring-rules.md — including the category lists whose positions are the codes of text columns in the
/// float tensor. Serialises to the "schema as JSON" download. For an evaluation table: the per-row errors and size
/// columns the rate sums, the column whose rows are not independent (the speaker), and how the platform computed the
/// errors (null when the organizer supplied them).
/// </summary>
public sealed record DataCard(
    int Rows,
    string? Label,
    string? PositiveClass,
    string? NegativeClass,
    int? PositiveRows,
    IReadOnlyList<DataCardColumn> Features,
    IReadOnlyList<string> NotModelInputs,
    IReadOnlyDictionary<string, IReadOnlyList<string>> TensorCategoryCodes,
    string? ErrorsColumn = null,
    string? SizeColumn = null,
    string? ClusterColumn = null,
    string? ErrorCounting = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Builds the card from the public training data (never from the holdout).</summary>
    public static DataCard Of(Dataset publicTraining)
    {
        ArgumentNullException.ThrowIfNull(publicTraining);
        var schema = publicTraining.Schema;
        LabelDomain? label = schema.LabelColumn is null ? null : LabelDomain.Of(publicTraining);
        var positives = label?.Task == TaskKind.Classification ? label.Encode(publicTraining).Count(y => y == 1f) : (int?)null;
        var coding = FeatureCoding.Of(publicTraining);
        var profiles = publicTraining.Profile().ToDictionary(p => p.Name);
        var features = schema.Features.Select((f, i) =>
        {
            var p = profiles[f.Name];
            return new DataCardColumn(f.Name, f.Kind, i, p.DistinctCount, p.MissingCount, p.Min, p.Max, p.Values);
        }).ToArray();
        return new DataCard(
            publicTraining.RowCount, label?.Column, label?.PositiveClass, label?.NegativeClass, positives, features,
            schema.Columns.Where(c => c.Role != ColumnRole.Feature).Select(c => $"{c.Name} ({c.Role.ToString().ToLowerInvariant()})").ToArray(),
            coding.Categories,
            schema.LossErrorsColumn, schema.LossSizeColumn, schema.ClusterColumn, schema.ErrorCounting);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
