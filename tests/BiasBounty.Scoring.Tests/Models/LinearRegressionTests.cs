using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

public class LinearRegressionTests
{
    /// <summary>y = 3 + 2·a − 0.5·b + (4 if colour is "red"), with a missing value in each feature.</summary>
    private static Dataset Synthetic()
    {
        var a = Enumerable.Range(0, 300).Select(i => (float)(i % 17)).ToArray();
        var b = Enumerable.Range(0, 300).Select(i => (float)((i * 7) % 23)).ToArray();
        var colour = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue").ToArray();
        var y = Enumerable.Range(0, 300).Select(i => 3 + 2 * a[i] - 0.5f * b[i] + (colour[i] == "red" ? 4 : 0)).ToArray();
        a[299] = float.NaN;
        var colours = colour.Select((c, i) => i == 298 ? null : c).ToArray();
        var schema = new DatasetSchema(
        [
            new ColumnSpec("a", ColumnKind.Numeric),
            new ColumnSpec("colour", ColumnKind.Categorical),
            new ColumnSpec("b", ColumnKind.Numeric),
            new ColumnSpec("y", ColumnKind.Numeric, ColumnRole.Label),
        ], LabelColumn: "y");
        return new Dataset(schema,
        [
            NumericColumn.FromValues("a", a),
            CategoricalColumn.FromValues("colour", colours),
            NumericColumn.FromValues("b", b),
            NumericColumn.FromValues("y", y),
        ]);
    }

    [Theory]
    [InlineData(OnnxInputConvention.FloatTensor)]
    [InlineData(OnnxInputConvention.PerColumn)]
    public void LinearRegressionOnnx_PredictsAsTheTrainer_AndFitsTheTrueModel(OnnxInputConvention convention)
    {
        var data = Synthetic();
        var label = LabelDomain.Of(data);
        var train = Enumerable.Range(0, 298).ToArray();
        var model = LinearRegressionTrainer.Train(data, label, train);
        var rows = ModelTestData.AllRows(data);

        using var onnx = OnnxModel.Load(model.ToOnnx(convention), data.Schema, label, ModelRole.Predictor);
        onnx.Validate(data);
        var fromOnnx = onnx.Predict(data, rows);
        var inMemory = model.Predict(data, rows);

        Assert.Equal(TaskKind.Regression, label.Task);
        Assert.Equal(convention, onnx.Convention);
        for (var i = 0; i < rows.Length; i++) Assert.Equal(inMemory[i], fromOnnx[i], 1e-3f);
        var y = label.Encode(data);
        for (var i = 0; i < train.Length; i++) Assert.Equal(y[i], fromOnnx[i], 0.01f);
        Assert.True(float.IsNaN(((NumericColumn)data["a"]).Values[299]));
        Assert.True(float.IsFinite(fromOnnx[299])); // the missing value is imputed, not propagated
    }

    [Fact]
    public void Train_RefusesClassificationLabel()
    {
        var data = ModelTestData.Wyoming;

        Assert.Throws<ArgumentException>(() => LinearRegressionTrainer.Train(data, LabelDomain.Of(data)));
    }
}
