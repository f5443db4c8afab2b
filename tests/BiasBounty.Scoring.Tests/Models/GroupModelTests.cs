using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

public class GroupModelTests
{
    [Fact]
    public void TreeGroupOnnx_OnCategoricalCode_LeavesMissingValuesOut()
    {
        var data = ModelTestData.AdultTest;
        var workclass = (CategoricalColumn)data["workclass"];
        var rows = ModelTestData.AllRows(data);
        var target = rows.Select(i => workclass.FormatValue(i) == "Private" ? 1f : 0f).ToArray();
        var model = DecisionTreeTrainer.Train(data, target, rows, new TreeOptions(MaxDepth: 3, MinLeafRows: 1));

        using var onnx = OnnxModel.Load(model.ToOnnx(), data.Schema, null, ModelRole.Group, coding: model.Coding);
        var members = onnx.Predict(data, rows);

        Assert.Equal(target, members);
        Assert.Equal(model.Predict(data, rows), members);
        Assert.Contains(rows, i => workclass.FormatValue(i) is null or "");
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
