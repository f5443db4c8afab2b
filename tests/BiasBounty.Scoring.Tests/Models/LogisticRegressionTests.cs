using System.Diagnostics;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace BiasBounty.Scoring.Tests.Models;

public class LogisticRegressionTests(ITestOutputHelper output)
{
    private static readonly Lazy<(LogisticRegressionModel Model, TimeSpan Time)> Adult = new(() =>
    {
        var data = ModelTestData.AdultTrain;
        var clock = Stopwatch.StartNew();
        var model = LogisticRegressionTrainer.Train(data, LabelDomain.Of(data));
        return (model, clock.Elapsed);
    });

    [Fact]
    public void PerColumnOnnx_PredictsAdultTestAsTheTrainedModel_WithAboutFifteenPercentError()
    {
        var (model, trainingTime) = Adult.Value;
        var test = ModelTestData.AdultTest;
        var label = LabelDomain.Of(test);
        var rows = ModelTestData.AllRows(test);

        using var onnx = OnnxModel.Load(model.ToOnnx(new OnnxExportOptions(OnnxInputConvention.PerColumn)), test.Schema, label, ModelRole.Predictor);
        var fromOnnx = onnx.Predict(test, rows);
        var inMemory = model.Predict(test, rows);
        Assert.Equal(ModelLimits.Default.BatchRows, onnx.BatchRows); // the memory budget leaves ordinary models' batches whole

        Assert.Equal(OnnxInputConvention.PerColumn, onnx.Convention);
        Assert.Equal(13, onnx.InputColumns.Count); // every feature; fnlwgt is hidden
        Assert.Equal(inMemory, fromOnnx);
        var error = ModelTestData.ErrorRate(fromOnnx, label.Encode(test));
        output.WriteLine($"adult.test error {error:P2}; {model.Design.Width} design columns; trained in {trainingTime.TotalSeconds:0.00} s");
        Assert.InRange(error, 0.14, 0.16);
        Assert.True(trainingTime < TimeSpan.FromSeconds(20), $"training took {trainingTime}");
    }

    [Fact]
    public void PerColumnOnnx_WithClassNameOutput_MapsLabelsThroughTheDomain()
    {
        var (model, _) = Adult.Value;
        var test = ModelTestData.AdultTest;
        var label = LabelDomain.Of(test);
        var rows = ModelTestData.AllRows(test)[..5000];
        var bytes = model.ToOnnx(new OnnxExportOptions(OnnxInputConvention.PerColumn, OnnxLabelOutput.ClassName));

        using var onnx = OnnxModel.Load(bytes, test.Schema, label, ModelRole.Predictor);
        onnx.Validate(ModelTestData.AdultTrain);

        Assert.Equal(model.Predict(test, rows), onnx.Predict(test, rows));
        using var session = new InferenceSession(bytes);
        var names = RawStringLabels(session, test, rows[..3]);
        Assert.All(names, n => Assert.Contains(n, new[] { "<=50K", ">50K" }));
    }

    [Fact]
    public void FloatTensorOnnx_WithPublishedCoding_PredictsAdultTestAsThePerColumnModel()
    {
        var (model, _) = Adult.Value;
        var test = ModelTestData.AdultTest;
        var label = LabelDomain.Of(test);
        var rows = ModelTestData.AllRows(test);

        // adult.test lacks a native-country value that adult.data has, so its own codes differ: the coding fixes that.
        using var onnx = OnnxModel.Load(model.ToOnnx(), test.Schema, label, ModelRole.Predictor, coding: model.Coding);

        Assert.Equal(OnnxInputConvention.FloatTensor, onnx.Convention);
        Assert.Equal(model.Predict(test, rows), onnx.Predict(test, rows));
    }

    [Fact]
    public void FloatTensorOnnx_CarriesItsTrainingCoding_SoAdultTestCodesNeedNoPublishedCoding()
    {
        var (model, _) = Adult.Value;
        var test = ModelTestData.AdultTest;
        var rows = ModelTestData.AllRows(test);
        var trainCountries = model.Coding.Categories["native-country"];
        Assert.NotEqual(trainCountries.Count, ((CategoricalColumn)test["native-country"]).Categories.Count);

        // No coding passed: the model's embedded metadata supplies adult.data's category lists.
        using var onnx = OnnxModel.Load(model.ToOnnx(), test.Schema, LabelDomain.Of(test), ModelRole.Predictor);

        Assert.Equal(model.Predict(test, rows), onnx.Predict(test, rows));
    }

    [Fact]
    public void Load_RefusesModel_WhoseEmbeddedCodingHasOtherFeatures()
    {
        var wyoming = ModelTestData.Wyoming;
        var model = LogisticRegressionTrainer.Train(wyoming, LabelDomain.Of(wyoming));
        var fewer = wyoming.Schema.WithRole("AGEP", ColumnRole.Hidden);

        var error = Assert.Throws<ModelValidationException>(() =>
            OnnxModel.Load(model.ToOnnx(), fewer, LabelDomain.Of(wyoming), ModelRole.Predictor));

        Assert.StartsWith("the model was trained on the feature columns AGEP, COW,", error.Message);
    }

    [Fact]
    public void FloatTensorOnnx_PredictsAcsWyomingAsTheTrainedModel_WithMatchingProbabilities()
    {
        var data = ModelTestData.Wyoming;
        var label = LabelDomain.Of(data);
        var train = Enumerable.Range(0, data.RowCount).Where(i => i % 3 != 0).ToArray();
        var holdout = Enumerable.Range(0, data.RowCount).Where(i => i % 3 == 0).ToArray();
        var model = LogisticRegressionTrainer.Train(data, label, train);
        var bytes = model.ToOnnx();

        using var onnx = OnnxModel.Load(bytes, data.Schema, label, ModelRole.Predictor);
        var fromOnnx = onnx.Predict(data, holdout);

        Assert.Equal(model.Predict(data, holdout), fromOnnx);
        var error = ModelTestData.ErrorRate(fromOnnx, holdout.Select(i => label.Encode(data)[i]).ToArray());
        output.WriteLine($"ACS WY holdout error {error:P2}");
        Assert.InRange(error, 0.15, 0.30);

        using var session = new InferenceSession(bytes);
        var x = model.Coding.Encode(data, holdout);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [holdout.Length, model.Coding.Width]);
        using var outputs = session.Run(new RunOptions(), ["X"], [input], ["probabilities"]);
        var probabilities = outputs.First().GetTensorDataAsSpan<float>().ToArray();
        var expected = model.PredictProbability(data, holdout);
        for (var i = 0; i < holdout.Length; i++)
        {
            Assert.Equal(expected[i], probabilities[2 * i + 1], 1e-5f);
            Assert.Equal(1 - expected[i], probabilities[2 * i], 1e-5f);
        }
    }

    [Fact]
    public void FloatTensorOnnx_ImputesMissingValues_AsTheTrainedModel()
    {
        var data = ModelTestData.TwentyRows();
        var label = LabelDomain.Of(data);
        var model = LogisticRegressionTrainer.Train(data, label);
        var probe = ModelTestData.Tiny([float.NaN, 30, float.NaN], [1, float.NaN, 2], [null, "Private", "Never-seen"], ["<=50K", ">50K", "<=50K"]);

        foreach (var convention in new[] { OnnxInputConvention.FloatTensor, OnnxInputConvention.PerColumn })
        {
            var bytes = model.ToOnnx(new OnnxExportOptions(convention));
            using var session = new InferenceSession(bytes);
            using var onnx = OnnxModel.Load(bytes, data.Schema, label, ModelRole.Predictor, coding: model.Coding);
            Assert.Equal(model.Predict(probe, [0, 1, 2]), onnx.Predict(probe, [0, 1, 2]));
        }
    }

    [Fact]
    public void Train_OnRowSubset_EqualsTrainingOnThoseRowsAlone()
    {
        var data = ModelTestData.Wyoming;
        var label = LabelDomain.Of(data);
        var sex = (NumericColumn)data["SEX"];
        var women = Enumerable.Range(0, data.RowCount).Where(i => sex.Values[i] == 2f).ToArray();

        var onSubset = LogisticRegressionTrainer.Train(data, label, women);
        var alone = LogisticRegressionTrainer.Train(data.SelectRows(women), label);

        Assert.Equal(alone.Coefficients, onSubset.Coefficients);
        Assert.Equal(alone.Intercept, onSubset.Intercept);
        Assert.NotEqual(LogisticRegressionTrainer.Train(data, label).Coefficients, onSubset.Coefficients);
    }

    [Fact]
    public void Train_IsDeterministic()
    {
        var data = ModelTestData.Wyoming;
        var label = LabelDomain.Of(data);

        Assert.Equal(LogisticRegressionTrainer.Train(data, label).ToOnnx(), LogisticRegressionTrainer.Train(data, label).ToOnnx());
    }

    private static string[] RawStringLabels(InferenceSession session, Dataset data, int[] rows)
    {
        var inputs = new List<OrtValue>();
        var names = new List<string>();
        foreach (var name in session.InputNames)
        {
            names.Add(name);
            switch (data[name])
            {
                case NumericColumn n:
                    inputs.Add(OrtValue.CreateTensorValueFromMemory(rows.Select(r => n.Values[r]).ToArray(), [rows.Length, 1]));
                    break;
                case CategoricalColumn c:
                    var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [rows.Length, 1]);
                    for (var i = 0; i < rows.Length; i++) value.StringTensorSetElementAt((c.FormatValue(rows[i]) ?? "").AsSpan(), i);
                    inputs.Add(value);
                    break;
            }
        }
        using var outputs = session.Run(new RunOptions(), names, inputs, ["label"]);
        var result = outputs.First().GetStringTensorAsArray();
        foreach (var v in inputs) v.Dispose();
        return result;
    }
}
