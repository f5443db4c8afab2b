using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Expressions;

/// <summary>What an expression may know about one column.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Kind">Number or text.</param>
/// <param name="Role">Only <see cref="ColumnRole.Feature"/> columns may appear in a group.</param>
/// <param name="Categories">A text column's values, in ordinal order; null when unknown (values are then not checked).</param>
public sealed record ExpressionColumn(string Name, ColumnKind Kind, ColumnRole Role = ColumnRole.Feature, IReadOnlyList<string>? Categories = null);

/// <summary>The columns an expression is checked against: names, kinds, roles and, for text columns, their values.</summary>
public sealed class ExpressionSchema
{
    private readonly Dictionary<string, ExpressionColumn> _byName;

    /// <summary>Creates a schema from columns with distinct names.</summary>
    /// <exception cref="ArgumentException">Two columns share a name.</exception>
    public ExpressionSchema(IEnumerable<ExpressionColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns.ToArray();
        _byName = new Dictionary<string, ExpressionColumn>(StringComparer.Ordinal);
        foreach (var column in Columns)
            if (!_byName.TryAdd(column.Name, column))
                throw new ArgumentException($"column name '{column.Name}' appears twice", nameof(columns));
    }

    /// <summary>The columns, in schema order.</summary>
    public IReadOnlyList<ExpressionColumn> Columns { get; }

    /// <summary>The column with exactly this name, or null.</summary>
    public ExpressionColumn? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Columns, kinds and roles from a dataset's schema, and the values of its text columns.</summary>
    public static ExpressionSchema Of(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new ExpressionSchema(data.Schema.Columns.Select(spec => new ExpressionColumn(
            spec.Name, spec.Kind, EffectiveRole(data.Schema, spec), (data[spec.Name] as CategoricalColumn)?.Categories)));
    }

    /// <summary>Columns, kinds and roles from a schema alone; text values are then not checked.</summary>
    public static ExpressionSchema Of(DatasetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new ExpressionSchema(schema.Columns.Select(spec => new ExpressionColumn(spec.Name, spec.Kind, EffectiveRole(schema, spec))));
    }

    // The label and loss columns named by the schema keep their meaning even if their spec says Feature.
    private static ColumnRole EffectiveRole(DatasetSchema schema, ColumnSpec spec) =>
        spec.Name == schema.LabelColumn ? ColumnRole.Label
        : spec.Name == schema.LossErrorsColumn || spec.Name == schema.LossSizeColumn ? ColumnRole.Loss
        : spec.Role;
}
