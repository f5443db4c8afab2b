using System.Globalization;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using FsCheck;
using FsCheck.Fluent;

namespace BiasBounty.Scoring.Tests.Expressions;

/// <summary>
/// Properties over random expressions, written with random spacing, keyword case, quotes and redundant parentheses,
/// evaluated on random datasets of 0–300 rows with missing values.
/// </summary>
public class SubgroupExpressionPropertyTests
{
    private static readonly float[] Numbers = [-2f, -1f, 0f, 0.5f, 1f, 1.5f, 2f, 3f, 5f, 1e10f];
    private static readonly string[] Texts = ["a", "b", "c", "d e", "q\"uote", "back\\slash", "it's", "x", "y", "z", "never-in-data"];
    private static readonly string[] NumberColumns = ["num", "num-2", "odd col"];
    private static readonly string[] TextColumns = ["cat", "cat.2"];

    private static readonly ExpressionSchema Schema = new(
        NumberColumns.Select(n => new ExpressionColumn(n, ColumnKind.Numeric))
            .Concat(TextColumns.Select(n => new ExpressionColumn(n, ColumnKind.Categorical, Categories: Texts.Order(StringComparer.Ordinal).ToArray()))));

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Evaluate_MatchesRowByRowEvaluation_ForRandomExpressions()
    {
        Check.One(Config, Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var expected = RowSet.FromPredicate(c.Data.RowCount, row => c.Expression.Holds(c.Data, row));
            return Enum.GetValues<KernelMode>().All(mode => expected.Equals(Group(c.Expression.Text).Evaluate(c.Data, mode)));
        }));
    }

    [Fact]
    public void Not_IsExactlyTheComplement()
    {
        Check.One(Config, Prop.ForAll(Cases().ToArbitrary(), c =>
            Rows($"not ({c.Expression.Text})", c.Data).Equals(Rows(c.Expression.Text, c.Data).Not())));
    }

    [Fact]
    public void And_IsASubsetOfEachSide_AndOr_ASupersetOfEachSide()
    {
        Check.One(Config, Prop.ForAll(Cases().ToArbitrary(), Expressions(3).ToArbitrary(), (c, other) =>
        {
            var a = Rows(c.Expression.Text, c.Data);
            var b = Rows(other.Text, c.Data);
            var and = Rows($"({c.Expression.Text}) and ({other.Text})", c.Data);
            var or = Rows($"({c.Expression.Text}) OR ({other.Text})", c.Data);
            return and.AndNot(a).Count() == 0 && and.AndNot(b).Count() == 0 && and.Equals(a.And(b))
                && a.AndNot(or).Count() == 0 && b.AndNot(or).Count() == 0 && or.Equals(a.Or(b));
        }));
    }

    [Fact]
    public void CanonicalForm_RoundTrips_ToTheSameTextAndTheSameRows()
    {
        Check.One(Config, Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var canonical = SubgroupExpression.Parse(c.Expression.Text).ToCanonicalString();
            var again = SubgroupExpression.Parse(canonical);
            return again.ToCanonicalString() == canonical && Rows(canonical, c.Data).Equals(Rows(c.Expression.Text, c.Data));
        }));
    }

    private static CompiledGroup Group(string text) => SubgroupExpression.Parse(text).Bind(Schema);

    private static RowSet Rows(string text, Dataset data) => Group(text).Evaluate(data);

    public sealed record Case(Dataset Data, GeneratedExpression Expression)
    {
        public override string ToString() => $"{Expression.Text} on {Data.RowCount} rows";
    }

    /// <summary>Expression text with its intended meaning, computed independently of the parser.</summary>
    public sealed record GeneratedExpression(string Text, Func<Dataset, int, bool> Holds, int Precedence)
    {
        public override string ToString() => Text;
    }

    private const int OrLevel = 0, AndLevel = 1, AtomLevel = 2;

    private static Gen<Case> Cases() =>
        from rows in Gen.Frequency((1, Gen.Elements(0, 1, 63, 64, 65, 127, 129)), (4, Gen.Choose(1, 300)))
        from seed in Gen.Choose(0, int.MaxValue)
        from expression in Expressions(4)
        select new Case(RandomData(rows, seed), expression);

    private static Gen<GeneratedExpression> Expressions(int depth)
    {
        if (depth == 0) return Condition();
        var sub = Expressions(depth - 1);
        return Gen.Frequency(
            (3, Condition()),
            (2, from l in sub from r in sub from kw in Keyword("and") select Combine(l, r, kw, AndLevel, (a, b) => a && b)),
            (2, from l in sub from r in sub from kw in Keyword("or") select Combine(l, r, kw, OrLevel, (a, b) => a || b)),
            (1, from e in sub from kw in Keyword("not") from wrap in Gen.Elements(true, false)
                select new GeneratedExpression(
                    $"{kw} {(wrap || e.Precedence < AtomLevel ? $"({e.Text})" : e.Text)}", (d, i) => !e.Holds(d, i), AtomLevel)),
            (1, from e in sub select e with { Text = $"( {e.Text})", Precedence = AtomLevel }));
    }

    private static GeneratedExpression Combine(GeneratedExpression l, GeneratedExpression r, string keyword, int level, Func<bool, bool, bool> op)
    {
        static string Wrap(GeneratedExpression e, int level) => e.Precedence < level ? $"({e.Text})" : e.Text;
        // The right side is wrapped when it has the same level too, so the tree is exactly the one generated.
        var right = r.Precedence <= level ? $"({r.Text})" : r.Text;
        return new GeneratedExpression($"{Wrap(l, level)} {keyword} {right}", (d, i) => op(l.Holds(d, i), r.Holds(d, i)), level);
    }

    private static Gen<GeneratedExpression> Condition() => Gen.OneOf(NumberComparison(), NumberList(), TextComparison(), TextList(), MissingTest());

    private static Gen<GeneratedExpression> NumberComparison() =>
        from column in Gen.Elements(NumberColumns)
        from op in Gen.Elements("==", "!=", "<", "<=", ">", ">=")
        from value in Gen.Elements(Numbers)
        from written in WriteNumber(value)
        from space in Gen.Elements("", " ", "  ")
        select new GeneratedExpression($"{WriteColumn(column)}{space}{op}{space}{written}", (d, i) =>
        {
            var x = ((NumericColumn)d[column]).Values[i];
            return !float.IsNaN(x) && op switch
            {
                "==" => x == value,
                "!=" => x != value,
                "<" => x < value,
                "<=" => x <= value,
                ">" => x > value,
                _ => x >= value,
            };
        }, AtomLevel);

    private static Gen<GeneratedExpression> NumberList() =>
        from column in Gen.Elements(NumberColumns)
        from negated in Gen.Elements(true, false)
        from values in Gen.NonEmptyListOf(Gen.Elements(Numbers)).Select(v => v.Take(12).ToArray())
        from written in Gen.CollectToArray(values, WriteNumber)
        from kw in Keyword(negated ? "not in" : "in")
        select new GeneratedExpression($"{WriteColumn(column)} {kw} ({string.Join(", ", written)})", (d, i) =>
        {
            var x = ((NumericColumn)d[column]).Values[i];
            return !float.IsNaN(x) && values.Contains(x) != negated;
        }, AtomLevel);

    private static Gen<GeneratedExpression> TextComparison() =>
        from column in Gen.Elements(TextColumns)
        from equal in Gen.Elements(true, false)
        from value in Gen.Elements(Texts)
        from written in WriteText(value)
        select new GeneratedExpression($"{WriteColumn(column)} {(equal ? "==" : "!=")} {written}", (d, i) =>
            d[column].FormatValue(i) is { } x && (x == value) == equal, AtomLevel);

    private static Gen<GeneratedExpression> TextList() =>
        from column in Gen.Elements(TextColumns)
        from negated in Gen.Elements(true, false)
        from values in Gen.NonEmptyListOf(Gen.Elements(Texts)).Select(v => v.Take(12).ToArray())
        from written in Gen.CollectToArray(values, WriteText)
        from kw in Keyword(negated ? "not in" : "in")
        select new GeneratedExpression($"{WriteColumn(column)} {kw} ({string.Join(",", written)})", (d, i) =>
            d[column].FormatValue(i) is { } x && values.Contains(x) != negated, AtomLevel);

    private static Gen<GeneratedExpression> MissingTest() =>
        from column in Gen.Elements(NumberColumns.Concat(TextColumns).ToArray())
        from negated in Gen.Elements(true, false)
        from kw in Keyword(negated ? "is not missing" : "is missing")
        select new GeneratedExpression($"{WriteColumn(column)} {kw}", (d, i) => (d[column].FormatValue(i) is null) != negated, AtomLevel);

    private static Gen<string> Keyword(string keyword) =>
        Gen.Elements(keyword, keyword.ToUpperInvariant(), string.Concat(keyword.Select((ch, k) => k % 2 == 0 ? char.ToUpperInvariant(ch) : ch)));

    private static string WriteColumn(string name) => name.Contains(' ') ? $"`{name}`" : name;

    private static Gen<string> WriteNumber(float value) =>
        Gen.Elements(
            value.ToString("R", CultureInfo.InvariantCulture),
            value.ToString("0.0###########", CultureInfo.InvariantCulture),
            value.ToString("0.###E+0", CultureInfo.InvariantCulture));

    private static Gen<string> WriteText(string value) =>
        Gen.Elements(
            "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
            "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'");

    /// <summary>Random columns; about a fifth of the values missing; text drawn from all values but one.</summary>
    private static Dataset RandomData(int rows, int seed)
    {
        var random = new Random(seed);
        var present = Texts[..^1];
        float Number() => random.Next(5) == 0 ? float.NaN : Numbers[random.Next(Numbers.Length)] + (random.Next(4) == 0 ? 0.25f : 0f);
        string? Text() => random.Next(5) == 0 ? null : present[random.Next(present.Length)];
        var columns = new List<Column>();
        var specs = new List<ColumnSpec>();
        foreach (var name in NumberColumns)
        {
            columns.Add(NumericColumn.FromValues(name, Enumerable.Range(0, rows).Select(_ => Number()).ToArray()));
            specs.Add(new ColumnSpec(name, ColumnKind.Numeric));
        }
        foreach (var name in TextColumns)
        {
            columns.Add(CategoricalColumn.FromValues(name, Enumerable.Range(0, rows).Select(_ => Text()).ToArray()));
            specs.Add(new ColumnSpec(name, ColumnKind.Categorical));
        }
        return new Dataset(new DatasetSchema(specs), columns);
    }
}
