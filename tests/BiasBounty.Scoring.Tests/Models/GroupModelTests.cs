using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

public class GroupModelTests
{
    [Fact]
    public void ThresholdGroupOnnx_MarksRowsAboveTheThreshold()
    {
        var data = ModelTestData.Wyoming;
        var group = new ThresholdGroupModel(FeatureCoding.Of(data), "AGEP", ThresholdComparison.GreaterOrEqual, 60);
        var rows = ModelTestData.AllRows(data);

        using var onnx = OnnxModel.Load(group.ToOnnx(), data.Schema, null, ModelRole.Group);
        onnx.Validate(data);
        var members = onnx.Predict(data, rows);

        var age = ((NumericColumn)data["AGEP"]).Values;
        Assert.Equal(age.Select(a => a >= 60 ? 1f : 0f), members);
        Assert.Equal(group.Predict(data, rows), members);
        Assert.InRange(members.Count(m => m == 1f), 100, data.RowCount - 100);
    }

    [Fact]
    public void ThresholdGroupOnnx_OnCategoricalCode_LeavesMissingValuesOut()
    {
        var data = ModelTestData.AdultTest;
        var coding = FeatureCoding.Of(ModelTestData.AdultTrain);
        var privateCode = coding.Categories["workclass"].ToList().IndexOf("Private");
        var group = new ThresholdGroupModel(coding, "workclass", ThresholdComparison.Equal, privateCode);
        var rows = ModelTestData.AllRows(data);

        using var onnx = OnnxModel.Load(group.ToOnnx(), data.Schema, null, ModelRole.Group, coding: coding);
        var members = onnx.Predict(data, rows);

        var workclass = (CategoricalColumn)data["workclass"];
        Assert.Equal(rows.Select(i => workclass.FormatValue(i) == "Private" ? 1f : 0f), members);
        Assert.Equal(group.Predict(data, rows), members);
    }

    [Fact]
    public void TreeGroupOnnx_LearnsAConjunction_AndAgreesWithTheTrainer()
    {
        var data = ModelTestData.Wyoming;
        var sex = ((NumericColumn)data["SEX"]).Values;
        var age = ((NumericColumn)data["AGEP"]).Values;
        var target = Enumerable.Range(0, data.RowCount).Select(i => sex[i] == 2f && age[i] >= 60 ? 1f : 0f).ToArray();
        var model = DecisionTreeTrainer.Train(data, target, ModelTestData.AllRows(data), new TreeOptions(MaxDepth: 3, MinLeafRows: 1));
        var rows = ModelTestData.AllRows(data);

        using var onnx = OnnxModel.Load(model.ToOnnx(), data.Schema, null, ModelRole.Group);
        var members = onnx.Predict(data, rows);

        Assert.Equal(target, members);
        Assert.Equal(model.Predict(data, rows), members);
    }
}
