using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Data;

public class DataCardTests
{
    [Fact]
    public void Of_AdultTraining_DocumentsFeaturesLabelBalanceAndTensorCodes()
    {
        var data = CsvDatasetLoader.Load(TestData.Path("adult.data.gz"));

        var card = DataCard.Of(data);

        Assert.Equal(32_561, card.Rows);
        Assert.Equal("income", card.Label);
        Assert.Equal(">50K", card.PositiveClass);
        Assert.Equal(7_841, card.PositiveRows);
        Assert.Equal(13, card.Features.Count); // 15 columns minus the label and the hidden survey weight
        Assert.Equal(["fnlwgt (hidden)", "income (label)"], card.NotModelInputs);
        var sex = Assert.Single(card.Features, f => f.Name == "sex");
        Assert.Equal(["Female", "Male"], sex.Values);
        Assert.Equal(8, sex.TensorIndex);
        Assert.Equal(FeatureCoding.Of(data).Categories["native-country"], card.TensorCategoryCodes["native-country"]);
        var occupation = Assert.Single(card.Features, f => f.Name == "occupation");
        Assert.Equal(1_843, occupation.MissingCount);
    }

    [Fact]
    public void ToJson_IsValidJson_WithCamelCaseFields()
    {
        var card = DataCard.Of(CsvDatasetLoader.Load(TestData.Path("acs-income-2018-WY.csv.gz")));

        using var json = JsonDocument.Parse(card.ToJson());

        Assert.Equal(3_064, json.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal("Numeric", json.RootElement.GetProperty("features")[0].GetProperty("kind").GetString());
        Assert.Equal(10, json.RootElement.GetProperty("features").GetArrayLength());
    }
}
