using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Discovery;
using BiasBounty.Scoring.Engine;

namespace BiasBounty.Scoring.Tests.Discovery;

public class ModelGroupAuditTests
{
    [Theory]
    [InlineData(Metric.Error, true)]
    [InlineData(Metric.Fpr, true)]
    [InlineData(Metric.Fnr, true)]
    [InlineData(Metric.Squared, false)]
    [InlineData(Metric.Wer, false)]
    [InlineData(Metric.Cer, false)]
    public void Supports_OnlyMetricsWithARightOrWrongPerRow(Metric metric, bool supported) =>
        Assert.Equal(supported, ModelGroupAudit.Supports(metric));

    [Fact]
    public void Fpr_SearchesTheNegatives_AndFindsTheGroupWithMoreFalsePositives()
    {
        // 6,000 rows; the model says 1 for every positive, and for a negative in region "east" half of the time.
        var random = new Random(7);
        const int rows = 6_000;
        var region = new string?[rows];
        var y = new float[rows];
        var predictions = new float[rows];
        string[] regions = ["north", "south", "east", "west"];
        for (var i = 0; i < rows; i++)
        {
            region[i] = regions[random.Next(4)];
            y[i] = random.Next(2);
            predictions[i] = y[i] == 1 ? 1 : region[i] == "east" && random.Next(2) == 0 ? 1 : 0;
        }
        var data = new Dataset(new DatasetSchema([new ColumnSpec("region", ColumnKind.Categorical)]), [CategoricalColumn.FromValues("region", region)]);

        var result = ModelGroupAudit.Run(data, y, predictions, Metric.Fpr, ModelGroupAudit.BoundedOptions(data));

        Assert.Equal(y.Count(v => v == 0), result.Rows);
        var found = Assert.Single(result.Confirmed);
        Assert.Equal("region == \"east\"", found.Expression);
        Assert.InRange(found.GroupRate, 0.4, 0.6);
        Assert.Equal(0, found.RestRate);
        Assert.Throws<ArgumentException>(() => ModelGroupAudit.Run(data, y, predictions, Metric.Squared));
    }

    [Fact]
    public void BoundedOptions_SearchTwoConditions_OnLargeData()
    {
        Dataset Of(int rows) => new(new DatasetSchema([new ColumnSpec("a", ColumnKind.Numeric), new ColumnSpec("b", ColumnKind.Numeric)]),
            [NumericColumn.FromValues("a", new float[rows]), NumericColumn.FromValues("b", new float[rows])]);

        Assert.Equal(3, ModelGroupAudit.BoundedOptions(Of(200_000)).MaxConditions);
        Assert.Equal(2, ModelGroupAudit.BoundedOptions(Of(300_000)).MaxConditions);
    }
}
