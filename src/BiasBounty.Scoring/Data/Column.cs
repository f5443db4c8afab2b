namespace BiasBounty.Scoring.Data;

/// <summary>How a column's values are stored and compared.</summary>
public enum ColumnKind
{
    /// <summary>Numbers, stored as <see cref="float"/>; missing values are NaN.</summary>
    Numeric,

    /// <summary>Text categories, stored as codes into a sorted dictionary; missing values are code -1.</summary>
    Categorical,
}

/// <summary>One column of a <see cref="Dataset"/>, stored column-wise for vectorised scans.</summary>
public abstract class Column(string name, RowSet missing)
{
    public string Name { get; } = name;

    public abstract ColumnKind Kind { get; }

    public int Length => Missing.Length;

    /// <summary>Rows whose value is missing.</summary>
    public RowSet Missing { get; } = missing;

    public int MissingCount => Missing.Count();

    public bool IsMissing(int row) => Missing.Contains(row);

    /// <summary>Number of distinct non-missing values.</summary>
    public abstract int DistinctCount();

    /// <summary>The value of a row as text (invariant culture); null when missing.</summary>
    public abstract string? FormatValue(int row);
}

/// <summary>A numeric column; missing rows hold NaN.</summary>
public sealed class NumericColumn(string name, float[] values, RowSet missing) : Column(name, missing)
{
    public float[] Values { get; } = values;

    public override ColumnKind Kind => ColumnKind.Numeric;

    public override int DistinctCount()
    {
        var seen = new HashSet<float>();
        foreach (var v in Values)
            if (!float.IsNaN(v)) seen.Add(v);
        return seen.Count;
    }

    public override string? FormatValue(int row) =>
        float.IsNaN(Values[row]) ? null : Values[row].ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Builds a column from values, treating NaN as missing.</summary>
    public static NumericColumn FromValues(string name, float[] values) =>
        new(name, values, RowSet.FromPredicate(values.Length, i => float.IsNaN(values[i])));
}

/// <summary>A categorical text column: per-row codes into <see cref="Categories"/> (ordinal-sorted); -1 = missing.</summary>
public sealed class CategoricalColumn : Column
{
    private readonly Dictionary<string, int> _codeOf;
    private byte[]? _codeBytes;

    public CategoricalColumn(string name, int[] codes, IReadOnlyList<string> categories, RowSet missing) : base(name, missing)
    {
        Codes = codes;
        Categories = categories;
        _codeOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < categories.Count; i++) _codeOf[categories[i]] = i;
    }

    public int[] Codes { get; }

    /// <summary>The distinct values, in ordinal order; a row's code indexes this list.</summary>
    public IReadOnlyList<string> Categories { get; }

    public override ColumnKind Kind => ColumnKind.Categorical;

    public override int DistinctCount() => Categories.Count;

    public override string? FormatValue(int row) => Codes[row] < 0 ? null : Categories[Codes[row]];

    /// <summary>
    /// The codes plus one as bytes (0 = missing), a quarter the size of <see cref="Codes"/> for the mask kernels; null
    /// when some code is not in -1 … 254 or not below the category count. Built once, on first use, from
    /// <see cref="Codes"/>, which like all column storage must not change once the column is in use.
    /// </summary>
    internal byte[]? CodesPlusOneAsBytes()
    {
        if (Volatile.Read(ref _codeBytes) is { } built) return built.Length == Codes.Length ? built : null;
        var bytes = new byte[Codes.Length];
        var limit = Math.Min(Categories.Count, byte.MaxValue);
        for (var i = 0; i < bytes.Length; i++)
        {
            var code = Codes[i];
            if (code < -1 || code >= limit)
            {
                bytes = []; // remembered as "no view" (a non-empty column never has an empty view)
                break;
            }
            bytes[i] = (byte)(code + 1);
        }
        // Racing threads build identical arrays; the first one stored wins.
        var stored = Interlocked.CompareExchange(ref _codeBytes, bytes, null) ?? bytes;
        return stored.Length == Codes.Length ? stored : null;
    }

    /// <summary>The code of a category, or -1 when the column has no such value.</summary>
    public int CodeOf(string category) => _codeOf.GetValueOrDefault(category, -1);

    /// <summary>Builds a column from text values; null is missing.</summary>
    public static CategoricalColumn FromValues(string name, IReadOnlyList<string?> values)
    {
        var categories = values.Where(v => v is not null).Select(v => v!).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        var codeOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < categories.Length; i++) codeOf[categories[i]] = i;
        var codes = new int[values.Count];
        var missing = new RowSet(values.Count);
        for (var i = 0; i < codes.Length; i++)
        {
            if (values[i] is { } v) codes[i] = codeOf[v];
            else { codes[i] = -1; missing.Add(i); }
        }
        return new CategoricalColumn(name, codes, categories, missing);
    }
}
