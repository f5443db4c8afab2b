using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;
using Xunit.Abstractions;

namespace BiasBounty.Scoring.Tests.Models;

public class TreeEnsembleTests(ITestOutputHelper output)
{
    [Fact]
    public void BoostedClassifierOnnx_PredictsAdultTestExactlyAsTheTrainer()
    {
        var train = ModelTestData.AdultTrain;
        var test = ModelTestData.AdultTest;
        var label = LabelDomain.Of(test);
        var model = GradientBoostedTreesTrainer.Train(train, LabelDomain.Of(train), options: new TreeOptions(Trees: 20, MaxDepth: 5));
        var rows = ModelTestData.AllRows(test);

        using var onnx = OnnxModel.Load(model.ToOnnx(), test.Schema, label, ModelRole.Predictor, coding: model.Coding);
        var fromOnnx = onnx.Predict(test, rows);
        Assert.Equal(ModelLimits.Default.BatchRows, onnx.BatchRows); // the memory budget leaves ordinary models' batches whole

        Assert.Equal(model.Predict(test, rows), fromOnnx);
        Assert.All(model.Trees, t => Assert.InRange(t.Depth, 1, 5));
        var error = ModelTestData.ErrorRate(fromOnnx, label.Encode(test));
        output.WriteLine($"boosted trees on adult.test: error {error:P2}");
        Assert.InRange(error, 0.12, 0.16);
    }

    [Fact]
    public void DecisionTreeOnnx_PredictsAcsWyomingExactlyAsTheTrainer()
    {
        var data = ModelTestData.Wyoming;
        var label = LabelDomain.Of(data);
        var train = Enumerable.Range(0, data.RowCount).Where(i => i % 2 == 0).ToArray();
        var model = DecisionTreeTrainer.Train(data, label, train, new TreeOptions(MaxDepth: 6, MinLeafRows: 10));
        var rows = ModelTestData.AllRows(data);

        using var onnx = OnnxModel.Load(model.ToOnnx(), data.Schema, label, ModelRole.Predictor);
        onnx.Validate(data);
        var fromOnnx = onnx.Predict(data, rows);

        Assert.Equal(model.Predict(data, rows), fromOnnx);
        Assert.Single(model.Trees);
        Assert.Equal(6, model.Trees[0].Depth);
        var heldOut = rows.Where(i => i % 2 == 1).ToArray();
        var error = ModelTestData.ErrorRate(onnx.Predict(data, heldOut), heldOut.Select(i => label.Encode(data)[i]).ToArray());
        output.WriteLine($"decision tree on ACS WY: held-out error {error:P2}");
        Assert.InRange(error, 0.15, 0.30);
    }

    [Fact]
    public void TreeOnnx_SendsMissingValuesTheLearnedWay()
    {
        // y = 1 exactly when AGEP is missing or above 50; the tree must learn to send NaN right.
        var age = Enumerable.Range(0, 200).Select(i => i % 5 == 0 ? float.NaN : i % 100).ToArray();
        var income = age.Select(a => float.IsNaN(a) || a > 50 ? ">50K" : "<=50K").ToArray();
        var data = ModelTestData.Tiny(age, age.Select(_ => 1f).ToArray(), age.Select(_ => "Private").ToArray(), income);
        var label = LabelDomain.Of(data);
        var model = DecisionTreeTrainer.Train(data, label, options: new TreeOptions(MaxDepth: 2, MinLeafRows: 5));
        var rows = ModelTestData.AllRows(data);

        using var onnx = OnnxModel.Load(model.ToOnnx(), data.Schema, label, ModelRole.Predictor);

        Assert.Equal(label.Encode(data), model.Predict(data, rows));
        Assert.Equal(label.Encode(data), onnx.Predict(data, rows));
    }

    [Fact]
    public void BoostedRegressorOnnx_PredictsAsTheTrainer()
    {
        var data = ModelTestData.Wyoming;
        var schema = data.Schema.WithRole("AGEP", ColumnRole.Label).WithRole("PINCP", ColumnRole.Hidden) with { LabelColumn = "AGEP", PositiveClass = null };
        var ages = data.WithSchema(schema);
        var label = LabelDomain.Of(ages);
        var model = GradientBoostedTreesTrainer.Train(ages, label, options: new TreeOptions(Trees: 10, MaxDepth: 3));
        var rows = ModelTestData.AllRows(ages);

        using var onnx = OnnxModel.Load(model.ToOnnx(), schema, label, ModelRole.Predictor);
        onnx.Validate(ages);
        var fromOnnx = onnx.Predict(ages, rows);
        var inMemory = model.Predict(ages, rows);

        Assert.Equal(TaskKind.Regression, label.Task);
        Assert.Equal(9, onnx.InputColumns.Count);
        for (var i = 0; i < rows.Length; i++) Assert.Equal(inMemory[i], fromOnnx[i], 1e-4f);
        var y = label.Encode(ages);
        var rmse = Math.Sqrt(rows.Average(i => (fromOnnx[i] - y[i]) * (double)(fromOnnx[i] - y[i])));
        var sd = Math.Sqrt(rows.Average(i => (y[i] - y.Average()) * (double)(y[i] - y.Average())));
        output.WriteLine($"age regression: RMSE {rmse:0.0} vs SD {sd:0.0}");
        Assert.True(rmse < 0.9 * sd);
    }

    [Fact]
    public void Train_IsDeterministic_AndRespectsRowSubset()
    {
        var data = ModelTestData.Wyoming;
        var label = LabelDomain.Of(data);
        var women = Enumerable.Range(0, data.RowCount).Where(i => ((NumericColumn)data["SEX"]).Values[i] == 2f).ToArray();
        var options = new TreeOptions(Trees: 5, MaxDepth: 3);

        var first = GradientBoostedTreesTrainer.Train(data, label, women, options);
        var second = GradientBoostedTreesTrainer.Train(data, label, women, options);
        var alone = GradientBoostedTreesTrainer.Train(data.SelectRows(women), label, options: options);

        Assert.Equal(first.ToOnnx(), second.ToOnnx());
        Assert.Equal(alone.ToOnnx(), first.ToOnnx());
    }

    [Fact]
    public void TreeOptions_RefuseDepthAboveSix()
    {
        var data = ModelTestData.Wyoming;

        Assert.Throws<ArgumentOutOfRangeException>(() => DecisionTreeTrainer.Train(data, LabelDomain.Of(data), options: new TreeOptions(MaxDepth: 7)));
    }
}
