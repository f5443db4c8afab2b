using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Expressions;

/// <summary>Checks a parsed expression against a schema: columns exist and may be used, literals fit the column.</summary>
internal static class ExpressionChecker
{
    /// <summary>Text values are listed in full in an error up to this many; longer lists end in "… and N more".</summary>
    public const int MaxListedValues = 20;

    /// <summary>A name or value within this edit distance (or equal ignoring case) is suggested.</summary>
    public const int MaxSuggestionDistance = 2;

    /// <summary>Throws <see cref="ExpressionException"/> for the leftmost problem.</summary>
    public static void Check(ExpressionNode node, ExpressionSchema schema)
    {
        switch (node)
        {
            case AndNode and:
                Check(and.Left, schema);
                Check(and.Right, schema);
                break;
            case OrNode or:
                Check(or.Left, schema);
                Check(or.Right, schema);
                break;
            case NotNode not:
                Check(not.Operand, schema);
                break;
            case ConditionNode condition:
                CheckCondition(condition, ResolveColumn(condition.Column, schema));
                break;
        }
    }

    private static ExpressionColumn ResolveColumn(ColumnReference reference, ExpressionSchema schema)
    {
        var column = schema.Find(reference.Name);
        if (column is null)
        {
            var usable = schema.Columns.Where(c => c.Role == ColumnRole.Feature).Select(c => c.Name);
            var suggestion = Closest(reference.Name, usable) is { } s ? $" — did you mean '{s}'?" : "";
            throw new ExpressionException($"unknown column '{reference.Name}'{suggestion}", reference.Position);
        }
        var refusal = column.Role switch
        {
            ColumnRole.Feature => null,
            ColumnRole.Label => "is the label",
            ColumnRole.Loss => "is a loss column",
            _ => "is hidden",
        };
        if (refusal is not null)
            throw new ExpressionException($"'{column.Name}' {refusal} and cannot be used in a group", reference.Position);
        return column;
    }

    private static void CheckCondition(ConditionNode condition, ExpressionColumn column)
    {
        switch (condition)
        {
            case ComparisonNode comparison:
                if (column.Kind == ColumnKind.Categorical && comparison.Operator is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
                    throw new ExpressionException(
                        $"'{CanonicalText.Operator(comparison.Operator)}' compares numbers, but {column.Name} is a text column; use ==, != or in (...)",
                        comparison.OperatorPosition);
                CheckLiteral(comparison.Value, column, $"{CanonicalText.Operator(comparison.Operator)} ", "");
                break;
            case InNode @in:
                foreach (var value in @in.Values)
                    CheckLiteral(value, column, @in.Negated ? "not in (" : "in (", ")");
                break;
        }
    }

    /// <summary><paramref name="before"/>/<paramref name="after"/> frame an example literal as the user's operator would.</summary>
    private static void CheckLiteral(Literal literal, ExpressionColumn column, string before, string after)
    {
        switch (literal, column.Kind)
        {
            case (StringLiteral text, ColumnKind.Numeric):
                var hint = CsvDatasetLoader.TryParseNumber(text.Value.Trim(), out var number)
                    ? $"write {CanonicalText.Number(number)} without quotes"
                    : "compare it with a number, not text";
                throw new ExpressionException($"{column.Name} is a number column; {hint}", literal.Position);
            case (NumberLiteral written, ColumnKind.Categorical):
                var categories = column.Categories ?? [];
                var example = categories.Contains(written.Text, StringComparer.Ordinal) ? written.Text
                    : categories.Count > 0 ? categories[0]
                    : written.Text;
                throw new ExpressionException(
                    $"{column.Name} is a text column; write {CanonicalText.Column(column.Name)} {before}{CanonicalText.String(example)}{after}",
                    literal.Position);
            case (StringLiteral text, ColumnKind.Categorical) when column.Categories is { } values && !values.Contains(text.Value, StringComparer.Ordinal):
                var suggestion = Closest(text.Value, values) is { } s ? $" — did you mean '{s}'? Values are" : "; values are";
                throw new ExpressionException($"'{text.Value}' is not a value of {column.Name}{suggestion} {ListValues(values)}", literal.Position);
        }
    }

    private static string ListValues(IReadOnlyList<string> values) =>
        values.Count == 0 ? "none (the column is always missing)"
        : values.Count <= MaxListedValues ? string.Join(", ", values)
        : $"{string.Join(", ", values.Take(MaxListedValues))} … and {values.Count - MaxListedValues:N0} more";

    /// <summary>The candidate equal ignoring case, else the nearest within <see cref="MaxSuggestionDistance"/> (first wins ties).</summary>
    internal static string? Closest(string written, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = MaxSuggestionDistance + 1;
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, written, StringComparison.OrdinalIgnoreCase)) return candidate;
            var distance = Distance(written.ToLowerInvariant(), candidate.ToLowerInvariant(), bestDistance);
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return best;
    }

    /// <summary>
    /// Optimal-string-alignment (restricted Damerau–Levenshtein) distance: insertions, deletions, substitutions and
    /// swaps of neighbours each cost 1. Returns <paramref name="cutoff"/> early when the answer is at least that.
    /// </summary>
    internal static int Distance(string a, string b, int cutoff = int.MaxValue)
    {
        if (Math.Abs(a.Length - b.Length) >= cutoff) return cutoff;
        var rows = new int[3][];
        for (var r = 0; r < 3; r++) rows[r] = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) rows[0][j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var (twoBack, previous, current) = (rows[(i + 1) % 3], rows[(i + 2) % 3], rows[i % 3]);
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var d = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = Math.Min(d, twoBack[j - 2] + 1);
                current[j] = d;
                rowMin = Math.Min(rowMin, d);
            }
            if (rowMin >= cutoff) return cutoff;
        }
        return Math.Min(rows[a.Length % 3][b.Length], cutoff);
    }
}
