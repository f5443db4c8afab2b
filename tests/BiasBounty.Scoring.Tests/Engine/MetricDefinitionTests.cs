using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;

namespace BiasBounty.Scoring.Tests.Engine;

public class MetricDefinitionTests
{
    public static TheoryData<Metric> EveryMetric => new(Enum.GetValues<Metric>());

    [Fact]
    public void All_ListsOneDefinitionPerMetric_InTheEnumsOrder() =>
        Assert.Equal(Enum.GetValues<Metric>(), Metrics.All.Select(d => d.Metric));

    [Theory]
    [MemberData(nameof(EveryMetric))]
    public void Definition_OfEveryMetric_IsItsOwn_AndItsNameParsesBack(Metric metric)
    {
        var definition = metric.Definition();

        Assert.Equal(metric, definition.Metric);
        Assert.Equal(metric, Metrics.Parse(definition.Name));
        Assert.Equal(metric, Metrics.Parse(definition.Name.ToUpperInvariant()));
    }

    [Fact]
    public void Names_AreTheStoredSpellings() =>
        Assert.Equal(["error", "fpr", "fnr", "squared", "lossColumn", "wer", "cer"], Metrics.All.Select(d => d.Name));

    [Fact]
    public void Definition_OfAnUnnamedValue_Throws() =>
        Assert.ThrowsAny<Exception>(() => ((Metric)99).Definition());

    [Fact]
    public void Parse_UnknownName_ListsTheMetrics() =>
        Assert.Equal("unknown metric 'mae'; metrics are error, fpr, fnr, squared, lossColumn, wer, cer",
            Assert.Throws<ScoringInputException>(() => Metrics.Parse("mae")).Message);

    [Theory]
    [InlineData(Metric.Error, new[] { Metric.Error, Metric.Fpr, Metric.Fnr })]
    [InlineData(Metric.Fpr, new[] { Metric.Fpr, Metric.Error, Metric.Fnr })]
    [InlineData(Metric.Fnr, new[] { Metric.Fnr, Metric.Error, Metric.Fpr })]
    [InlineData(Metric.Squared, new[] { Metric.Squared })]
    [InlineData(Metric.LossColumn, new[] { Metric.LossColumn })]
    public void FindingMetrics_AreTheCompetitionsFirst_ThenTheOtherRatesOnClassification(Metric competition, Metric[] expected) =>
        Assert.Equal(expected, competition.Definition().FindingMetrics);

    [Fact]
    public void InWizard_OffersErrorFprFnrSquaredWerAndCer_WithTheirOptionTexts_ButNotLossColumn() =>
        Assert.Equal(
            [(Metric.Error, "error (misclassification rate)"), (Metric.Fpr, "fpr (false-positive rate)"),
                (Metric.Fnr, "fnr (false-negative rate)"), (Metric.Squared, "squared (regression)"),
                (Metric.Wer, "wer (word error rate)"), (Metric.Cer, "cer (character error rate)")],
            Metrics.InWizard.Select(d => (d.Metric, d.WizardText)));

    [Fact]
    public void Labels_AreTheLeaderboardsWording() =>
        Assert.Equal(["Error", "False-positive rate", "False-negative rate", "Scaled squared error", "Loss", "Word error rate", "Character error rate"], Metrics.All.Select(d => d.Label));

    [Fact]
    public void EvaluationTableMetrics_RefuseFixes_AndHaveNoPredictionLoss()
    {
        Assert.Equal([Metric.LossColumn, Metric.Wer, Metric.Cer], Metrics.All.Where(d => !d.AllowsFix).Select(d => d.Metric));
        Assert.Equal([Metric.LossColumn, Metric.Wer, Metric.Cer], Metrics.All.Where(d => !d.ScoresPredictions).Select(d => d.Metric));
    }

    /// <summary>The tests read what the loss gives them: counts for zero-one losses, sums of columns for ratios.</summary>
    [Theory]
    [MemberData(nameof(EveryMetric))]
    public void Tests_FitTheRowLoss(Metric metric)
    {
        var d = metric.Definition();

        Assert.Equal(d.RowLoss == RowLoss.ZeroOne, d.FindingTest == FindingTest.TwoProportions);
        Assert.Equal(d.RowLoss == RowLoss.ZeroOne, d.FixTest == FixTest.ExactMcNemar);
        Assert.Equal(d.RowLoss == RowLoss.OrganizerColumns, d.FindingTest == FindingTest.RatioDeltaMethod);
        Assert.Equal(d.RowLoss == RowLoss.OrganizerColumns, d.Task is null);
    }

    [Theory]
    [InlineData(Metric.Error, TaskKind.Classification, false, null)]
    [InlineData(Metric.Fnr, TaskKind.Regression, false, "fnr is for classification labels; use squared")]
    [InlineData(Metric.Squared, TaskKind.Classification, false, "squared error is for regression labels; use error, fpr or fnr")]
    [InlineData(Metric.Squared, TaskKind.Regression, false, null)]
    [InlineData(Metric.LossColumn, TaskKind.Regression, false, "the lossColumn metric needs the organizer's error and size columns")]
    [InlineData(Metric.LossColumn, TaskKind.Classification, true, null)]
    public void Incompatibility_SaysWhyAMetricDoesNotFitTheLabels(Metric metric, TaskKind task, bool hasLossColumns, string? expected) =>
        Assert.Equal(expected, metric.Incompatibility(task, hasLossColumns));

    [Fact]
    public void Eligible_IsEveryRow_TheNegatives_OrThePositives()
    {
        float[] y = [0f, 1f, 1f, 0f, 1f];

        Assert.Equal([0, 1, 2, 3, 4], Metric.Error.Eligible(y).ToIndices());
        Assert.Equal([0, 3], Metric.Fpr.Eligible(y).ToIndices());
        Assert.Equal([1, 2, 4], Metric.Fnr.Eligible(y).ToIndices());
        Assert.Equal([0f, 0f, 1f, 0f, 0f], Metric.Fnr.Losses(y, [1f, 1f, 0f, 0f, 1f], 1f));
    }

    [Fact]
    public void DefaultFor_IsErrorForClasses_AndSquaredForNumbers()
    {
        Assert.Equal(Metric.Error, Metrics.DefaultFor(TaskKind.Classification));
        Assert.Equal(Metric.Squared, Metrics.DefaultFor(TaskKind.Regression));
    }
}
