using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Scoring.Tests.Expressions;

/// <summary>The real datasets, loaded once per test run, and schemas to check expressions against.</summary>
internal static class ExpressionTestData
{
    private static readonly Lazy<Dataset> LazyAcs = new(() => CsvDatasetLoader.Load(TestData.Path("acs-income-2018-GA.csv.gz")));
    private static readonly Lazy<Dataset> LazyAdult = new(() => CsvDatasetLoader.Load(TestData.Path("adult.data.gz")));
    private static readonly Lazy<Dataset> LazyAdultTest = new(() => CsvDatasetLoader.Load(TestData.Path("adult.test.gz")));

    public static Dataset Acs => LazyAcs.Value;

    public static Dataset Adult => LazyAdult.Value;

    public static Dataset AdultTest => LazyAdultTest.Value;

    /// <summary>Columns the real files do not have: a loss column, a name with a space, and one named like a keyword.</summary>
    public static ExpressionSchema Custom { get; } = new([
        new ExpressionColumn("errors", ColumnKind.Numeric, ColumnRole.Loss),
        new ExpressionColumn("weird name", ColumnKind.Numeric),
        new ExpressionColumn("in", ColumnKind.Numeric),
        new ExpressionColumn("empty", ColumnKind.Categorical, Categories: []),
    ]);

    public static ExpressionSchema Schema(string name) => name switch
    {
        "acs" => ExpressionSchema.Of(Acs),
        "adult" => ExpressionSchema.Of(Adult),
        "custom" => Custom,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>
    /// Row-by-row meaning of an expression, written independently of the vectorised evaluator: a condition on a
    /// missing value is false; <c>not</c> is plain negation.
    /// </summary>
    public static bool Holds(ExpressionNode node, Dataset data, int row) => node switch
    {
        AndNode and => Holds(and.Left, data, row) && Holds(and.Right, data, row),
        OrNode or => Holds(or.Left, data, row) || Holds(or.Right, data, row),
        NotNode not => !Holds(not.Operand, data, row),
        MissingNode missing => data[missing.Column.Name].FormatValue(row) is null != missing.Negated,
        ComparisonNode comparison => data[comparison.Column.Name].FormatValue(row) is { } value
            && Compare(data[comparison.Column.Name], row, comparison.Operator, comparison.Value),
        InNode @in => data[@in.Column.Name].FormatValue(row) is not null
            && @in.Values.Any(v => Compare(data[@in.Column.Name], row, ComparisonOperator.Equal, v)) != @in.Negated,
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    public static RowSet BruteForce(string expression, Dataset data)
    {
        var root = SubgroupExpression.Parse(expression).Root;
        return RowSet.FromPredicate(data.RowCount, row => Holds(root, data, row));
    }

    private static bool Compare(Column column, int row, ComparisonOperator op, Literal literal)
    {
        int order;
        if (column is NumericColumn numeric)
        {
            var x = (double)numeric.Values[row];
            var v = (double)((NumberLiteral)literal).Value;
            order = x.CompareTo(v);
        }
        else
        {
            order = string.CompareOrdinal(column.FormatValue(row), ((StringLiteral)literal).Value);
        }
        return op switch
        {
            ComparisonOperator.Equal => order == 0,
            ComparisonOperator.NotEqual => order != 0,
            ComparisonOperator.Less => order < 0,
            ComparisonOperator.LessOrEqual => order <= 0,
            ComparisonOperator.Greater => order > 0,
            ComparisonOperator.GreaterOrEqual => order >= 0,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
    }
}
