using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Scoring.Tests.Expressions;

public class SubgroupExpressionTests
{
    [Fact]
    public void Parse_BuildsTree_WithPrecedenceNotOverAndOverOr()
    {
        var root = SubgroupExpression.Parse("a == 1 or not b == 2 and c is missing").Root;

        var or = Assert.IsType<OrNode>(root);
        var left = Assert.IsType<ComparisonNode>(or.Left);
        Assert.Equal(new ColumnReference("a", 1), left.Column);
        Assert.Equal(ComparisonOperator.Equal, left.Operator);
        Assert.Equal(new NumberLiteral(1f, "1", 6), left.Value);
        var and = Assert.IsType<AndNode>(or.Right);
        var not = Assert.IsType<NotNode>(and.Left);
        Assert.Equal(11, not.Position);
        Assert.IsType<ComparisonNode>(not.Operand);
        Assert.Equal(new MissingNode(new ColumnReference("c", 26), Negated: false), and.Right);
    }

    [Fact]
    public void Parse_ReadsKeywordsInAnyCase_HyphenatedAndBackquotedNames_AndBothQuotes()
    {
        var root = SubgroupExpression.Parse("`weird \\` name` IS NOT MISSING And marital-status NOT IN ('Never-married', \"say \\\"hi\\\" \\\\ 'x'\")").Root;

        var and = Assert.IsType<AndNode>(root);
        Assert.Equal(new MissingNode(new ColumnReference("weird ` name", 1), Negated: true), and.Left);
        var @in = Assert.IsType<InNode>(and.Right);
        Assert.Equal("marital-status", @in.Column.Name);
        Assert.True(@in.Negated);
        Assert.Equal(["Never-married", "say \"hi\" \\ 'x'"], @in.Values.Cast<StringLiteral>().Select(s => s.Value));
    }

    [Fact]
    public void Parse_GivesStructurallyEqualTrees_ForEqualText()
    {
        Assert.Equal(SubgroupExpression.Parse("RAC1P in (2, 3)").Root, SubgroupExpression.Parse("RAC1P in (2, 3)").Root);
        Assert.NotEqual(SubgroupExpression.Parse("RAC1P in (2, 3)").Root, SubgroupExpression.Parse("RAC1P in (2, 4)").Root);
    }

    [Theory]
    [InlineData("SEX==2   AND AGEP>=60 And RAC1P IN (3, 2, 2)", "SEX == 2 and AGEP >= 60 and RAC1P in (2, 3)")]
    [InlineData("race in ('White', \"Black\", 'Black') and not age < 25", "race in (\"Black\", \"White\") and not (age < 25)")]
    [InlineData("(a == 1 or b == 2) and c == 3", "(a == 1 or b == 2) and c == 3")]
    [InlineData("a == 1 or (b == 2 and c == 3)", "a == 1 or b == 2 and c == 3")]
    [InlineData("a == 1 and (b == 2 and (c == 3))", "a == 1 and b == 2 and c == 3")]
    [InlineData("((a == 1))", "a == 1")]
    [InlineData("not not a == 1", "not (not (a == 1))")]
    [InlineData("NOT (a == 1 OR b == 2)", "not (a == 1 or b == 2)")]
    [InlineData("x == 1.50", "x == 1.5")]
    [InlineData("x > 1e3", "x > 1000")]
    [InlineData("x == -0", "x == 0")]
    [InlineData("x <= .25", "x <= 0.25")]
    [InlineData("x == 0.1", "x == 0.1")]
    [InlineData("x != -1.0E+2", "x != -100")]
    [InlineData("x in (1.0, 1, 0.5, -0.0, 0)", "x in (0, 0.5, 1)")]
    [InlineData("x not in (\"b\", 'a')", "x not in (\"a\", \"b\")")]
    [InlineData("s == 'it\\'s \"q\" \\\\'", "s == \"it's \\\"q\\\" \\\\\"")]
    [InlineData("`weird name` is missing", "`weird name` is missing")]
    [InlineData("`in` == 1 and `plain` == 2", "`in` == 1 and plain == 2")]
    [InlineData("`a\\\\b` == 1", "`a\\\\b` == 1")]
    [InlineData("hours-per-week>=40", "hours-per-week >= 40")]
    public void ToCanonicalString_NormalisesSpacingCaseListsNumbersQuotesAndParentheses(string text, string canonical)
    {
        var expression = SubgroupExpression.Parse(text);

        Assert.Equal(canonical, expression.ToCanonicalString());
        Assert.Equal(canonical, SubgroupExpression.Parse(canonical).ToCanonicalString());
    }

    [Fact]
    public void Columns_ListsEachColumnUsedOnce()
    {
        var expression = SubgroupExpression.Parse("SEX == 2 and AGEP >= 60 and RAC1P in (2, 3) or not (SEX == 1 or `odd name` is missing)");

        Assert.Equal(["AGEP", "RAC1P", "SEX", "odd name"], expression.Columns);
        Assert.True(expression.Columns.Contains("SEX"));
    }

    [Fact]
    public void Compile_SelectsSex2OnAcsGeorgia()
    {
        var group = SubgroupExpression.Compile("SEX == 2", ExpressionTestData.Acs);

        Assert.Equal(24_537, group.Evaluate(ExpressionTestData.Acs).Count());
        Assert.Equal("SEX == 2", group.Canonical);
        Assert.Equal(["SEX"], group.Columns);
    }

    [Fact]
    public void Compile_SelectsRaceListOnAcsGeorgia()
    {
        var rows = SubgroupExpression.Compile("RAC1P in (2, 3)", ExpressionTestData.Acs).Evaluate(ExpressionTestData.Acs);

        Assert.Equal(12_151 + 2_188, rows.Count());
    }

    [Theory]
    [InlineData("SEX == 2 and AGEP >= 60 and RAC1P in (2, 3)")]
    [InlineData("AGEP < 25 or WKHP > 50 and not (MAR == 1)")]
    [InlineData("SCHL >= 21 and COW not in (1, 2, 3, 4, 5, 6, 7, 8, 9) or OCCP != 10")]
    [InlineData("POBP in (1, 4, 5, 6, 8, 9, 10, 11, 12, 13, 15, 16, 17) and RELP <= 2.5")]
    public void Evaluate_MatchesRowByRowEvaluation_OnAcsGeorgia(string text)
    {
        var data = ExpressionTestData.Acs;

        var rows = SubgroupExpression.Compile(text, data).Evaluate(data);

        Assert.Equal(ExpressionTestData.BruteForce(text, data), rows);
        Assert.InRange(rows.Count(), 1, data.RowCount - 1);
    }

    [Fact]
    public void Evaluate_SelectsMissingOccupationOnAdult()
    {
        var data = ExpressionTestData.Adult;

        Assert.Equal(1_843, SubgroupExpression.Compile("occupation is missing", data).Evaluate(data).Count());
        Assert.Equal(data.RowCount - 1_843, SubgroupExpression.Compile("occupation IS NOT MISSING", data).Evaluate(data).Count());
    }

    [Theory]
    [InlineData("race in (\"Black\", \"Amer-Indian-Eskimo\") and not (age < 25)")]
    [InlineData("marital-status == \"Never-married\" and hours-per-week >= 40 or education-num > 13")]
    [InlineData("occupation != \"Sales\"")]
    [InlineData("not (occupation == \"Sales\")")]
    [InlineData("native-country not in ('United-States', 'Mexico', 'Canada', 'India', 'China', 'Cuba', 'Iran', 'Japan', 'Italy', 'Peru')")]
    [InlineData("workclass in ('Private', 'State-gov', 'Federal-gov', 'Local-gov', 'Self-emp-inc', 'Self-emp-not-inc', 'Without-pay', 'Never-worked', 'Private')")]
    public void Evaluate_MatchesRowByRowEvaluation_OnAdult(string text)
    {
        var data = ExpressionTestData.Adult;

        var rows = SubgroupExpression.Compile(text, data).Evaluate(data);

        Assert.Equal(ExpressionTestData.BruteForce(text, data), rows);
    }

    [Fact]
    public void Evaluate_TreatsMissingValuesAsFailingEveryComparison_SoNotIsTheExactComplement()
    {
        var data = ExpressionTestData.Adult;
        RowSet Rows(string text) => SubgroupExpression.Compile(text, data).Evaluate(data);

        var missing = Rows("occupation is missing");
        var sales = Rows("occupation == \"Sales\"");
        var notSales = Rows("occupation != \"Sales\"");

        Assert.Equal(data.RowCount, sales.Count() + notSales.Count() + missing.Count());
        Assert.Equal(0, notSales.IntersectionCount(missing));
        Assert.Equal(notSales.Or(missing), Rows("not (occupation == \"Sales\")"));
        Assert.Equal(sales.Not(), Rows("not occupation == 'Sales'"));
        Assert.Equal(0, Rows("occupation not in ('Sales', 'Tech-support')").IntersectionCount(missing));
    }

    [Fact]
    public void Evaluate_AppliesGroupCheckedOnOneDatasetToAnother_ByValueNotByCode()
    {
        var group = SubgroupExpression.Compile("race in (\"Black\", \"Amer-Indian-Eskimo\") and not (age < 25)", ExpressionTestData.Adult);
        var test = ExpressionTestData.AdultTest;

        Assert.Equal(ExpressionTestData.BruteForce(group.Canonical, test), group.Evaluate(test));
    }

    [Fact]
    public void Evaluate_MatchesNoRows_ForAValueThisDatasetLacks()
    {
        var schema = new ExpressionSchema([new ExpressionColumn("c", ColumnKind.Categorical, Categories: ["a", "b", "z"])]);
        var data = new Dataset(new DatasetSchema([new ColumnSpec("c", ColumnKind.Categorical)]),
            [CategoricalColumn.FromValues("c", ["a", null, "b", "a"])]);

        Assert.Equal(0, SubgroupExpression.Parse("c == 'z'").Bind(schema).Evaluate(data).Count());
        Assert.Equal([0, 2, 3], SubgroupExpression.Parse("c != 'z'").Bind(schema).Evaluate(data).ToIndices());
        Assert.Equal([2], SubgroupExpression.Parse("c not in ('z', 'a')").Bind(schema).Evaluate(data).ToIndices());
    }

    [Fact]
    public void Bind_WithoutKnownValues_AcceptsAnyText()
    {
        var schema = ExpressionSchema.Of(ExpressionTestData.Adult.Schema);

        var group = SubgroupExpression.Parse("sex == 'Martian'").Bind(schema);

        Assert.Equal(0, group.Evaluate(ExpressionTestData.Adult).Count());
    }

    [Fact]
    public void Evaluate_OnEmptyDataset_GivesEmptySet()
    {
        var data = new Dataset(new DatasetSchema([new ColumnSpec("x", ColumnKind.Numeric)]), [NumericColumn.FromValues("x", [])]);

        var rows = SubgroupExpression.Compile("not (x > 1)", data).Evaluate(data);

        Assert.Equal(0, rows.Length);
    }
}
