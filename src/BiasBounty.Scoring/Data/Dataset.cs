namespace BiasBounty.Scoring.Data;

/// <summary>
/// An in-memory columnar table. Columns are immutable once built; a dataset is shared freely between threads.
/// </summary>
public sealed class Dataset
{
    private readonly Dictionary<string, Column> _byName;

    public Dataset(DatasetSchema schema, IReadOnlyList<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columns);
        if (schema.Columns.Count != columns.Count)
            throw new ArgumentException($"schema has {schema.Columns.Count} columns, data has {columns.Count}", nameof(columns));
        RowCount = columns.Count == 0 ? 0 : columns[0].Length;
        _byName = new Dictionary<string, Column>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            var (spec, column) = (schema.Columns[i], columns[i]);
            if (spec.Name != column.Name || spec.Kind != column.Kind)
                throw new ArgumentException($"column {i} is '{column.Name}' ({column.Kind}) but the schema says '{spec.Name}' ({spec.Kind})", nameof(columns));
            if (column.Length != RowCount)
                throw new ArgumentException($"column '{column.Name}' has {column.Length} rows, expected {RowCount}", nameof(columns));
            if (!_byName.TryAdd(column.Name, column))
                throw new ArgumentException($"column name '{column.Name}' appears twice", nameof(columns));
        }
        Schema = schema;
        Columns = columns;
    }

    public DatasetSchema Schema { get; }

    public IReadOnlyList<Column> Columns { get; }

    public int RowCount { get; }

    public Column this[string name] =>
        _byName.TryGetValue(name, out var column) ? column : throw new KeyNotFoundException($"no column '{name}'");

    public bool TryGetColumn(string name, out Column column) => _byName.TryGetValue(name, out column!);

    /// <summary>The feature columns, in schema order (the order of the float-tensor model input).</summary>
    public IReadOnlyList<Column> FeatureColumns => Schema.Features.Select(f => _byName[f.Name]).ToArray();

    /// <summary>The same data under a schema that differs only in roles, label or positive class.</summary>
    public Dataset WithSchema(DatasetSchema schema) => new(schema, Columns);

    /// <summary>A new dataset holding the given rows, in the given order.</summary>
    public Dataset SelectRows(ReadOnlySpan<int> rows)
    {
        var columns = new Column[Columns.Count];
        for (var c = 0; c < Columns.Count; c++)
        {
            var source = Columns[c];
            var missing = new RowSet(rows.Length);
            for (var i = 0; i < rows.Length; i++)
                if (source.IsMissing(rows[i])) missing.Add(i);
            columns[c] = source switch
            {
                NumericColumn n => new NumericColumn(n.Name, Gather(n.Values, rows), missing),
                CategoricalColumn k => new CategoricalColumn(k.Name, Gather(k.Codes, rows), k.Categories, missing),
                _ => throw new InvalidOperationException($"unknown column type {source.GetType().Name}"),
            };
        }
        return new Dataset(Schema, columns);
    }

    /// <summary>Per-column statistics for the data card and <c>bbounty inspect</c>.</summary>
    public IReadOnlyList<ColumnProfile> Profile() => Columns.Select((column, i) => ColumnProfile.Of(column, Schema.Columns[i].Role)).ToArray();

    private static T[] Gather<T>(T[] source, ReadOnlySpan<int> rows)
    {
        var result = new T[rows.Length];
        for (var i = 0; i < rows.Length; i++) result[i] = source[rows[i]];
        return result;
    }
}

/// <summary>What a data card says about one column.</summary>
public sealed record ColumnProfile(
    string Name,
    ColumnKind Kind,
    ColumnRole Role,
    int DistinctCount,
    int MissingCount,
    double? Min,
    double? Max,
    IReadOnlyList<string>? Values)
{
    /// <summary>Categorical columns list their values when there are at most this many.</summary>
    public const int MaxListedValues = 60;

    public static ColumnProfile Of(Column column, ColumnRole role)
    {
        switch (column)
        {
            case NumericColumn numeric:
                double? min = null, max = null;
                foreach (var v in numeric.Values)
                {
                    if (float.IsNaN(v)) continue;
                    min = min is null ? v : Math.Min(min.Value, v);
                    max = max is null ? v : Math.Max(max.Value, v);
                }
                return new(column.Name, column.Kind, role, column.DistinctCount(), column.MissingCount, min, max, null);
            case CategoricalColumn categorical:
                var values = categorical.Categories.Count <= MaxListedValues ? categorical.Categories : null;
                return new(column.Name, column.Kind, role, column.DistinctCount(), column.MissingCount, null, null, values);
            default:
                throw new InvalidOperationException($"unknown column type {column.GetType().Name}");
        }
    }
}
