using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Replay;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Scoring.Tests.Replay;

public class ReplayReportTests
{
    /// <summary>A competition whose holdout has no planted groups, with the synthetic base rule as version 0.</summary>
    private static (PointerDecisionList List, ModelCatalog Catalog, Holdout Holdout) Competition()
    {
        var holdoutData = PlantedBiasGenerator.Tabular(6_000, 11, plantedEffect: false);
        var holdout = Holdout.Create(holdoutData.Data, 0.5, 3);
        var catalog = new ModelCatalog(holdout.Data.Schema, holdout.Label);
        catalog.Add("base", holdoutData.BaseModel);
        return (PointerDecisionList.Create("base", holdout, catalog), catalog, holdout);
    }

    private static ReplayRequest Request(Dataset data, bool withHoldout = true)
    {
        var (list, catalog, holdout) = Competition();
        return new ReplayRequest(data, Metric.Error, 1f, list, catalog, ["region == \"North\""], ["region", "sex"], withHoldout ? holdout : null);
    }

    [Fact]
    public void PlantedGroup_InTheDeployersRows_IsFlaggedAsALastMileGap_AndFoundByTheSearch()
    {
        var deployer = PlantedBiasGenerator.Tabular(8_000, 5, plantedEffect: true).Data;

        var report = ReplayReport.Run(Request(deployer));

        var version = Assert.Single(report.Versions);
        var south = Assert.Single(version.Groups, g => g.Expression == "region == \"South\"");
        Assert.Equal(ReplayGroupSource.Protected, south.Source);
        Assert.True(south.SignificantGap && south.GapOnHoldout == false && south.LastMile);
        Assert.True(south.Lower <= south.Error && south.Error <= south.Upper);
        Assert.Contains(report.Flags, f => f.Kind == ReplayFlagKind.LastMileGap && f.Expression == "region == \"South\"");
        // Pairs of protected values are measured too, and the finding's group is there with its source.
        Assert.Contains(version.Groups, g => g.Source == ReplayGroupSource.ProtectedPair && g.Expression.Contains("and", StringComparison.Ordinal));
        Assert.Contains(version.Groups, g => g.Source == ReplayGroupSource.Finding && g.Expression == "region == \"North\"");
        // The search names the planted older-South group (or a sharper description of it), ready to paste.
        Assert.Contains(report.Discovered, d => d.Expression.Contains("region == \"South\"", StringComparison.Ordinal) && d.Expression.Contains("age", StringComparison.Ordinal));
    }

    [Fact]
    public void DataWithoutStructure_HasNoFlag()
    {
        var deployer = PlantedBiasGenerator.Tabular(4_000, 7, plantedEffect: false).Data;

        var report = ReplayReport.Run(Request(deployer));

        Assert.Empty(report.Flags);
        Assert.Empty(report.Discovered);
        Assert.All(report.Versions[0].Groups, g => Assert.False(g.LastMile));
        var overall = report.Versions[0];
        Assert.True(overall.Lower <= overall.Error && overall.Error <= overall.Upper && overall.Upper - overall.Lower < 0.05);
        Assert.Equal(4_000, overall.Rows);
    }

    [Fact]
    public void Progress_IsReported_UpToOne()
    {
        var deployer = PlantedBiasGenerator.Tabular(1_000, 9, plantedEffect: false).Data;
        var seen = new List<double>();

        ReplayReport.Run(Request(deployer, withHoldout: false), new SyncProgress(seen.Add));

        Assert.Equal(1, seen[^1]);
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public void EvaluationTableMetric_IsRefused_WithASentence()
    {
        var deployer = PlantedBiasGenerator.Tabular(200, 9, plantedEffect: false).Data;
        var request = Request(deployer) with { Metric = Metric.Wer };

        var error = Assert.Throws<ScoringInputException>(() => ReplayReport.Run(request));
        Assert.Contains("evaluation table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFixThatMakesItsGroupWorseHere_IsFlagged_AndVersionsAreMeasuredEach()
    {
        var synthetic = PlantedBiasGenerator.Tabular(3_000, 5, plantedEffect: true);
        var data = synthetic.Data;
        var all = Enumerable.Range(0, data.RowCount).ToArray();
        var basePredictions = synthetic.BaseModel.Predict(data, all);
        var catalog = new ModelCatalog(data.Schema, LabelDomain.Of(data));
        catalog.Add("base", synthetic.BaseModel);
        catalog.Add("wrong", new RowFunctionModel(i => 1 - basePredictions[i])); // the opposite of the base model on every row
        const string group = "sex == \"Female\"";
        var list = PointerDecisionList.ForPrediction(new DecisionListStructure("base", [new UpdateNode(GroupRef.FromExpression(group), "wrong", null)], [0, 1]));

        var report = ReplayReport.Run(new ReplayRequest(data, Metric.Error, 1f, list, catalog, [], [], null));

        Assert.Equal([0, 1], report.Versions.Select(v => v.Version));
        Assert.True(report.Versions[1].Error > report.Versions[0].Error);
        var flag = Assert.Single(report.Flags, f => f.Kind == ReplayFlagKind.FixDoesNotHelp);
        Assert.Equal((1, group), (flag.Version, flag.Expression));
        Assert.Contains(report.Versions[1].Groups, g => g.Source == ReplayGroupSource.Fix && g.Expression == group);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
