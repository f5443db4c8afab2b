using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Scoring.Tests.Engine;

public sealed class GroupBreakdownTests
{
    /// <summary>Sex (2 values), race (3 values and missing), a country with 25 values, a numeric age, a label.</summary>
    private static Dataset Data()
    {
        var n = 300;
        string?[] races = ["White", "Black", "Asian", null];
        var columns = new Column[]
        {
            CategoricalColumn.FromValues("sex", Enumerable.Range(0, n).Select(i => (string?)(i % 2 == 0 ? "Female" : "Male")).ToArray()),
            CategoricalColumn.FromValues("race", Enumerable.Range(0, n).Select(i => races[i % 4]).ToArray()),
            CategoricalColumn.FromValues("country", Enumerable.Range(0, n).Select(i => (string?)$"c{i % 25}").ToArray()),
            NumericColumn.FromValues("age", Enumerable.Range(0, n).Select(i => (float)(20 + i % 50)).ToArray()),
            CategoricalColumn.FromValues("income", Enumerable.Range(0, n).Select(i => (string?)(i % 3 == 0 ? ">50K" : "<=50K")).ToArray()),
        };
        var schema = new DatasetSchema(
            [new("sex", ColumnKind.Categorical), new("race", ColumnKind.Categorical), new("country", ColumnKind.Categorical), new("age", ColumnKind.Numeric),
             new("income", ColumnKind.Categorical, ColumnRole.Label)], "income", ">50K");
        return new Dataset(schema, columns);
    }

    [Fact]
    public void Groups_AreEachValueOfACategoricalFeature_AndPairsOfFewValuedOnes_FromThePublicCardOnly()
    {
        var card = DataCard.Of(Data());

        var groups = GroupBreakdown.Groups(card);

        var singles = groups.Where(g => g.Columns.Count == 1).Select(g => g.Expression).ToArray();
        Assert.Contains("sex == \"Female\"", singles);
        Assert.Contains("race is missing", singles);
        Assert.DoesNotContain(singles, s => s.StartsWith("country", StringComparison.Ordinal)); // 25 values: too many
        Assert.DoesNotContain(singles, s => s.StartsWith("age", StringComparison.Ordinal)); // numeric
        var pairs = groups.Where(g => g.Columns.Count == 2).ToArray();
        Assert.Equal(2 * 4, pairs.Length); // sex × (race's three values and missing)
        Assert.Contains(pairs, p => p.Expression == "sex == \"Male\" and race is missing");
        Assert.Equal(["country", "age"], GroupBreakdown.NotBrokenDown(card));
        var data = Data();
        Assert.All(groups, g => SubgroupExpression.Compile(g.Expression, data)); // every group is a valid expression
    }

    [Fact]
    public void Measure_ErrorRate_IsTheShareOfWrongRows_WithAWilsonInterval_AndNullBelowTheLeastSize()
    {
        var y = new float[] { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 };
        var predictions = new float[] { 1, 1, 1, 0, 0, 0, 1, 0, 1, 0 }; // rows 1 and 4 wrong
        var rows = RowSet.All(10);

        var loss = GroupBreakdown.Measure(y, rows, predictions, Metric.Error, 1f, minRows: 10)!;

        Assert.Equal(10, loss.Rows);
        Assert.Equal(0.2, loss.Loss, 12);
        Assert.Equal(BiasBounty.Scoring.Statistics.Proportions.Wilson(2, 10), loss.Interval);
        Assert.Null(GroupBreakdown.Measure(y, rows, predictions, Metric.Error, 1f, minRows: 11));
        // false-positive rate: only rows labelled 0 count (row 1 of five)
        var fpr = GroupBreakdown.Measure(y, rows, predictions, Metric.Fpr, 1f, minRows: 1)!;
        Assert.Equal((5, 0.2), (fpr.Rows, fpr.Loss));
    }

    [Fact]
    public void Measure_SquaredError_HasAStudentInterval_WithinZeroAndOne()
    {
        var y = new float[] { 0, 0, 0, 0 };
        var predictions = new float[] { 0.1f, 0.2f, 0.3f, 0.4f };

        var loss = GroupBreakdown.Measure(y, RowSet.All(4), predictions, Metric.Squared, 1f, minRows: 2)!;

        Assert.Equal((0.01 + 0.04 + 0.09 + 0.16) / 4, loss.Loss, 6);
        Assert.True(loss.Interval.Lower >= 0 && loss.Interval.Lower < loss.Loss && loss.Loss < loss.Interval.Upper && loss.Interval.Upper <= 1);
    }
}
