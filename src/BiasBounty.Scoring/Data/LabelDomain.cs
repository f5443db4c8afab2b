using System.Globalization;

namespace BiasBounty.Scoring.Data;

/// <summary>Whether the label is a class (scored by 0/1 losses) or a number (scored by squared error).</summary>
public enum TaskKind
{
    Classification,
    Regression,
}

/// <summary>
/// How a label column becomes the per-row target <c>y</c>: for binary classification 1 for the positive class and
/// 0 for the other, for regression the value itself. Labels are compared after removing one trailing period,
/// because UCI's <c>adult.test</c> writes <c>&gt;50K.</c> where <c>adult.data</c> writes <c>&gt;50K</c>.
/// </summary>
public sealed record LabelDomain(string Column, TaskKind Task, string? PositiveClass, string? NegativeClass)
{
    private static readonly string[] ConventionalPositives = ["True", "true", "1", "1.0", "yes", "Yes"];

    /// <summary>Works out the label's domain from the data and its schema (label column and optional positive class).</summary>
    /// <exception cref="ScoringInputException">No label, missing labels, or a label that is neither binary nor numeric.</exception>
    public static LabelDomain Of(Dataset data)
    {
        var schema = data.Schema;
        var name = schema.LabelColumn ?? throw new ScoringInputException("no label column is set: name one (e.g. --label income)");
        if (!data.TryGetColumn(name, out var column))
            throw new ScoringInputException($"label column '{name}' is not in the data; columns are {string.Join(", ", data.Columns.Select(c => c.Name))}");
        if (column.MissingCount > 0)
            throw new ScoringInputException($"label column '{name}' has {column.MissingCount} missing values; every row needs a label");
        var classes = DistinctNormalized(column);
        if (column is NumericColumn && classes.Count > 2 && schema.PositiveClass is null)
            return new LabelDomain(name, TaskKind.Regression, null, null);
        if (classes.Count != 2)
            throw new ScoringInputException(
                $"label column '{name}' has {classes.Count} distinct values; a classification label needs exactly 2 (a numeric label with more is treated as regression when no positive class is given)");
        var positive = schema.PositiveClass is { } p ? Normalize(p) : classes.FirstOrDefault(c => ConventionalPositives.Contains(c));
        if (positive is null)
            throw new ScoringInputException($"label '{name}' has values {string.Join(", ", classes)}: say which is the positive class (e.g. --positive \"{classes[1]}\")");
        var match = classes.FirstOrDefault(c => SameLabel(c, positive, column is NumericColumn));
        if (match is null)
            throw new ScoringInputException($"'{positive}' is not a value of label '{name}'; values are {string.Join(", ", classes)}");
        return new LabelDomain(name, TaskKind.Classification, match, classes.Single(c => c != match));
    }

    /// <summary>The per-row target: 1/0 for classification, the value for regression.</summary>
    public float[] Encode(Dataset data)
    {
        var column = data[Column];
        var y = new float[data.RowCount];
        switch (column)
        {
            case NumericColumn numeric when Task == TaskKind.Regression:
                Array.Copy(numeric.Values, y, y.Length);
                break;
            case NumericColumn numeric:
                var positive = float.Parse(PositiveClass!, CultureInfo.InvariantCulture);
                for (var i = 0; i < y.Length; i++) y[i] = numeric.Values[i] == positive ? 1f : 0f;
                break;
            case CategoricalColumn categorical:
                var isPositive = categorical.Categories.Select(c => Normalize(c) == PositiveClass).ToArray();
                for (var i = 0; i < y.Length; i++) y[i] = isPositive[categorical.Codes[i]] ? 1f : 0f;
                break;
        }
        return y;
    }

    /// <summary>Maps a model's string label output to 1/0; false when it is neither class.</summary>
    public bool TryMapLabel(string label, out float y)
    {
        var normalized = Normalize(label);
        y = normalized == PositiveClass ? 1f : 0f;
        return normalized == PositiveClass || normalized == NegativeClass;
    }

    /// <summary>Removes surrounding whitespace and one trailing period.</summary>
    public static string Normalize(string label)
    {
        var trimmed = label.Trim();
        return trimmed.Length > 1 && trimmed[^1] == '.' && !char.IsDigit(trimmed[^2]) ? trimmed[..^1] : trimmed;
    }

    private static bool SameLabel(string a, string b, bool numeric) =>
        a == b || (numeric && CsvDatasetLoader.TryParseNumber(a, out var x) && CsvDatasetLoader.TryParseNumber(b, out var y) && x == y);

    private static List<string> DistinctNormalized(Column column) =>
        column switch
        {
            CategoricalColumn c => c.Categories.Select(Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            NumericColumn n => n.Values.Where(v => !float.IsNaN(v)).Distinct().Order().Take(3)
                .Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToList(),
            _ => [],
        };
}
