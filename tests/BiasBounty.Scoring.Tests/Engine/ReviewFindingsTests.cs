using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Scoring.Tests.Engine;

/// <summary>Regression tests for the findings of the engine review (holdout leaks, cache consistency, rule edges).</summary>
public class ReviewFindingsTests
{
    private const string OlderSouth = "region == \"South\" and age >= 60";

    [Fact]
    public void Score_ExpressionNamingATextValueTheHoldoutLacks_MatchesNoRows_AndNeverListsHoldoutValues()
    {
        var fixture = new ScoringFixture();

        // "Atlantis" is not a region of the holdout: on the holdout it simply matches nobody.
        var outcome = fixture.Submit("s1", "region == \"Atlantis\" or region == \"South\"");

        Assert.Equal(ScoreStatus.Scored, outcome.Record.Status);
        Assert.Equal(fixture.Catalog.Evaluate(GroupRef.FromExpression("region == \"South\""), fixture.Holdout.Data).ContentHash(), outcome.Record.MaskHash);
        var alone = fixture.Submit("s2", "region == \"Atlantis\"");
        Assert.Equal(ScoreStatus.Refused, alone.Record.Status);
        Assert.DoesNotContain("North", alone.Released.Summary);
    }

    [Theory]
    [InlineData(Metric.Error)]
    [InlineData(Metric.Fpr)]
    [InlineData(Metric.Fnr)]
    public void ApplyUpdate_KeepsCachedPredictionsEqualToPredict_ForEveryMetric(Metric metric)
    {
        var fixture = new ScoringFixture(rows: 5_000, seed: 4);
        var holdout = fixture.Holdout;
        var catalog = fixture.Catalog
            .Add("a", new RowFunctionModel(i => i % 3 == 0 ? 1f : 0f), ModelRole.Group)
            .Add("b", new RowFunctionModel(i => i % 2 == 0 ? 1f : 0f), ModelRole.Group)
            .Add("fix-a", new RowFunctionModel(i => holdout.Y[i]))
            .Add("fix-b", new RowFunctionModel(i => 1 - holdout.Y[i]));
        var list = fixture.Model;
        foreach (var (group, fix) in new[] { ("a", "fix-a"), ("b", "fix-b") })
        {
            var members = catalog.Members(new GroupRef(null, group), holdout.Data);
            list = list.ApplyUpdate(new GroupRef(null, group), members, fix, catalog.Predictor(fix).Predict(holdout.Data, members.ToIndices()),
                null, holdout, metric, 0.001, 1f, catalog).List;
        }

        Assert.True(list.Nodes.OfType<RepairNode>().Any(), "the second fix should need a repair");
        foreach (var version in list.Versions)
            Assert.Equal(version.HoldoutPredictions, list.Predict(holdout.Data, catalog, version.Number));
    }

    [Fact]
    public void Score_FixAfterAFindingOnlySubmissionOfTheSameGroup_IsTested_NotADuplicate()
    {
        var fixture = new ScoringFixture();
        fixture.Submit("s1", OlderSouth);

        var withFix = fixture.Submit("s2", OlderSouth, "fix-0");

        Assert.Equal(ScoreStatus.Scored, withFix.Record.Status);
        Assert.True(withFix.Record.FixVerified);
        var again = fixture.Submit("s3", OlderSouth, "fix-0");
        Assert.Equal(ScoreStatus.Duplicate, again.Record.Status);
        Assert.Equal("s2", again.Record.DuplicateOf);
        Assert.DoesNotMatch(@"\d+(\.\d)? points\.", again.Released.Summary);
    }

    [Fact]
    public void Score_RefusesADecisionListOfAnotherHoldout()
    {
        var fixture = new ScoringFixture(rows: 5_000);
        var other = Holdout.Create(PlantedBiasGenerator.Tabular(5_000, seed: 2).Data, 0.4, 1);

        Assert.Throws<ArgumentException>(() => SubmissionScorer.Score(new ScoringRequest(fixture.Settings, other, fixture.Model,
            fixture.Ledgers, fixture.Catalog, SubmissionHistory.Empty, new SubmissionInput("s", GroupRef.FromExpression(OlderSouth), null, Metric.Error))));
    }

    [Fact]
    public void Score_CountsAcceptedNodesOnTheLedgers_SoAFreshHoldoutRestartsTheBudget()
    {
        var fixture = new ScoringFixture();

        fixture.Submit("s1", OlderSouth, "fix-0");

        Assert.Equal(1, fixture.Ledgers.AcceptedOnHoldout);
        Assert.Equal(0, Ledgers.Start(0.05).AcceptedOnHoldout);
    }

    [Fact]
    public void Score_RefusesFixes_WhenTheHoldoutsAcceptBudgetIsUsed()
    {
        var fixture = new ScoringFixture(settings: new CompetitionSettings { CertificateThreshold = 0.5 }); // K + 1 = 5
        var spent = fixture.Ledgers with { AcceptedOnHoldout = 5 };

        var outcome = SubmissionScorer.Score(new ScoringRequest(fixture.Settings, fixture.Holdout, fixture.Model, spent, fixture.Catalog,
            SubmissionHistory.Empty, new SubmissionInput("s", GroupRef.FromExpression(OlderSouth), "fix-0", Metric.Error)));

        Assert.Equal(ScoreStatus.Refused, outcome.Record.Status);
        Assert.Contains("fresh holdout", outcome.Record.RefusalReason);
    }

    [Fact]
    public void Metrics_SquaredLossOfAnInvalidPrediction_IsTheMaximum() =>
        Assert.Equal(1f, Metric.Squared.Loss(3f, OnnxModel.InvalidPrediction, 4f));

    [Fact]
    public void Metrics_ZeroOneLossOfAnInvalidPrediction_IsWrong() =>
        Assert.Equal(1f, Metric.Error.Loss(1f, OnnxModel.InvalidPrediction, 1f));
}
