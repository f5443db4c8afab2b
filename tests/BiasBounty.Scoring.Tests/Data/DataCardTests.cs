using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Data;

public class DataCardTests
{
    [Fact]
    public void Of_ATranscriptTable_NamesTheErrorColumnsTheSpeakerAndHowErrorsWereCounted()
    {
        var table = CsvDatasetLoader.Load(System.Text.Encoding.UTF8.GetBytes("speaker,accent,reference,hypothesis\ns1,a,Hello there!,hello their\ns2,b,Good day,good day\n"));
        var (evaluation, _) = BiasBounty.Scoring.Text.EvaluationTable.FromTranscripts(table, "reference", "hypothesis", "speaker",
            BiasBounty.Scoring.Text.ErrorUnit.Word, BiasBounty.Scoring.Text.TextNormalization.Default, "t.csv");

        var card = DataCard.Of(evaluation);

        Assert.Equal(("word_errors", "reference_words", "speaker"), (card.ErrorsColumn, card.SizeColumn, card.ClusterColumn));
        Assert.Equal("word errors (substitutions, deletions, insertions) of 'hypothesis' against 'reference', computed by the platform; " +
            "transcripts compared with case ignored, punctuation removed (apostrophes and hyphens inside words kept), numbers as written", card.ErrorCounting);
        Assert.Equal(["accent"], card.Features.Select(f => f.Name));
    }

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
