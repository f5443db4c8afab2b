using System.Runtime.CompilerServices;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// The numeric encoding behind the float-tensor model input <c>X [N, F]</c>: the feature columns in schema order, a
/// numeric column as its value and a categorical column as the index of its value in <see cref="Categories"/>, NaN
/// for a missing value (and for a category the coding does not list). The data card publishes this, so that a model
/// trained on the public split reads the holdout with the same codes even when the two files hold different categories.
/// </summary>
public sealed class FeatureCoding
{
    /// <summary>Creates a coding.</summary>
    /// <param name="features">Feature columns in schema order.</param>
    /// <param name="categories">For each categorical feature, its values in code order.</param>
    /// <exception cref="ArgumentException">A categorical feature has no category list.</exception>
    public FeatureCoding(IReadOnlyList<ColumnSpec> features, IReadOnlyDictionary<string, IReadOnlyList<string>> categories)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(categories);
        foreach (var f in features)
            if (f.Kind == ColumnKind.Categorical && !categories.ContainsKey(f.Name))
                throw new ArgumentException($"categorical feature '{f.Name}' has no category list", nameof(categories));
        Features = features;
        Categories = categories;
    }

    /// <summary>Feature columns in schema order: the columns of <c>X</c>.</summary>
    public IReadOnlyList<ColumnSpec> Features { get; }

    /// <summary>Each categorical feature's values; a value's index is its code.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; }

    /// <summary>Number of feature columns (F).</summary>
    public int Width => Features.Count;

    /// <summary>
    /// The ONNX metadata key under which exported models carry the coding they were trained with, so a model keeps
    /// its category codes on data whose category lists differ (adult.test lacks one of adult.data's countries).
    /// </summary>
    public const string MetadataKey = "biasbounty.feature_coding";

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The coding as JSON (features in order, with each text column's category list).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(new CodingDocument(Features, Categories), Json);

    /// <summary>Reads <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="ModelValidationException">Not a feature coding.</exception>
    public static FeatureCoding FromJson(string json)
    {
        try
        {
            var document = System.Text.Json.JsonSerializer.Deserialize<CodingDocument>(json, Json);
            if (document?.Features is null || document.Categories is null) throw new ModelValidationException("the model's embedded feature coding is incomplete");
            return new FeatureCoding(document.Features, document.Categories);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            throw new ModelValidationException("the model's embedded feature coding cannot be read", e);
        }
    }

    private sealed record CodingDocument(IReadOnlyList<ColumnSpec> Features, IReadOnlyDictionary<string, IReadOnlyList<string>> Categories);

    /// <summary>The coding a dataset implies: its feature columns and their category lists (codes as stored).</summary>
    public static FeatureCoding Of(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var categories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var column in data.FeatureColumns)
            if (column is CategoricalColumn c) categories[c.Name] = c.Categories;
        return new FeatureCoding(data.Schema.Features, categories);
    }

    /// <summary>Position of a feature column in <c>X</c>, or -1.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Features.Count; i++)
            if (Features[i].Name == column) return i;
        return -1;
    }

    /// <summary>The rows as a row-major <c>[rows.Length, Width]</c> matrix. Empty rows give an empty array.</summary>
    /// <exception cref="ScoringInputException">The data lacks a feature column or stores it with another kind.</exception>
    public float[] Encode(Dataset data, ReadOnlySpan<int> rows)
    {
        var result = new float[rows.Length * Width];
        Encode(data, rows, result);
        return result;
    }

    /// <summary>Writes the rows as a row-major matrix into <paramref name="destination"/> (at least rows × Width long).</summary>
    // The hot loop of every prediction: compiled fully optimised at once rather than through tiered compilation.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Encode(Dataset data, ReadOnlySpan<int> rows, Span<float> destination)
    {
        var width = Width;
        for (var f = 0; f < width; f++)
        {
            var column = Bind(data, f);
            switch (column)
            {
                case NumericColumn numeric:
                    var values = numeric.Values;
                    for (var i = 0; i < rows.Length; i++) destination[i * width + f] = values[rows[i]];
                    break;
                case CategoricalColumn categorical:
                    var map = CodeMap(categorical);
                    var codes = categorical.Codes;
                    for (var i = 0; i < rows.Length; i++)
                    {
                        var code = codes[rows[i]];
                        destination[i * width + f] = code < 0 ? float.NaN : map[code];
                    }
                    break;
            }
        }
    }

    /// <summary>Column <paramref name="feature"/> of the coding in <paramref name="data"/>, checked for presence and kind.</summary>
    internal Column Bind(Dataset data, int feature)
    {
        var spec = Features[feature];
        if (!data.TryGetColumn(spec.Name, out var column))
            throw new ScoringInputException($"the data has no column '{spec.Name}', which the model takes as input");
        if (column.Kind != spec.Kind)
            throw new ScoringInputException($"column '{spec.Name}' is {column.Kind.ToString().ToLowerInvariant()} in the data but {spec.Kind.ToString().ToLowerInvariant()} in the model's coding");
        return column;
    }

    /// <summary>For each code of <paramref name="column"/>, the coding's code as a float (NaN when the coding lacks the value).</summary>
    internal float[] CodeMap(CategoricalColumn column)
    {
        var categories = Categories[column.Name];
        var map = new float[column.Categories.Count];
        if (ReferenceEquals(categories, column.Categories) || categories.SequenceEqual(column.Categories, StringComparer.Ordinal))
        {
            for (var c = 0; c < map.Length; c++) map[c] = c;
            return map;
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < categories.Count; c++) index.TryAdd(categories[c], c);
        for (var c = 0; c < map.Length; c++)
            map[c] = index.TryGetValue(column.Categories[c], out var code) ? code : float.NaN;
        return map;
    }
}
