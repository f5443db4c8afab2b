using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.DecisionLists;

public class PointerDecisionListTests
{
    private const int Rows = 1_000;
    private const double Epsilon = 0.001;

    // Labels: row i is positive when i is odd. The base model predicts 0 everywhere (wrong on every odd row).
    private static float Label(int row) => row % 2;

    private static readonly Dataset Data = new(
        new DatasetSchema([new ColumnSpec("id", ColumnKind.Numeric), new ColumnSpec("y", ColumnKind.Numeric, ColumnRole.Label)], LabelColumn: "y", PositiveClass: "1"),
        [NumericColumn.FromValues("id", Enumerable.Range(0, Rows).Select(i => (float)i).ToArray()),
         NumericColumn.FromValues("y", Enumerable.Range(0, Rows).Select(Label).ToArray())]);

    private static readonly Holdout Holdout = Holdout.Create(Data, 0.4, 7);

    private static ModelCatalog Catalog() => new ModelCatalog(Data.Schema, LabelDomain.Of(Data))
        .Add("base", new RowFunctionModel(_ => 0f))
        .Add("group-a", new RowFunctionModel(i => i < 300 ? 1f : 0f), ModelRole.Group)
        .Add("group-b", new RowFunctionModel(i => i is >= 200 and < 500 ? 1f : 0f), ModelRole.Group)
        .Add("fix-a", new RowFunctionModel(Label))                              // right everywhere
        .Add("fix-b", new RowFunctionModel(i => i < 300 ? 1 - Label(i) : Label(i))); // right on 300–499, wrong on A's rows 200–299

    private static (PointerDecisionList List, UpdateResult First, UpdateResult Second) AcceptBothFixes()
    {
        var catalog = Catalog();
        var list = PointerDecisionList.Create("base", Holdout, catalog);
        var groupA = new GroupRef(null, "group-a");
        var rowsA = catalog.Members(groupA, Data);
        var first = list.ApplyUpdate(groupA, rowsA, "fix-a", catalog.Predictor("fix-a").Predict(Data, rowsA.ToIndices()), "s1",
            Holdout, Metric.Error, Epsilon, 1f, catalog);
        var groupB = new GroupRef(null, "group-b");
        var rowsB = catalog.Members(groupB, Data);
        var second = first.List.ApplyUpdate(groupB, rowsB, "fix-b", catalog.Predictor("fix-b").Predict(Data, rowsB.ToIndices()), "s2",
            Holdout, Metric.Error, Epsilon, 1f, catalog);
        return (second.List, first, second);
    }

    private static double LossOnA(float[] predictions) =>
        PointerDecisionList.MeanLoss(predictions, Enumerable.Range(0, 300).ToArray(), Holdout.Y, Metric.Error, 1f);

    [Fact]
    public void ApplyUpdate_AddsRepair_WhenNewFixHurtsAnEarlierGroup()
    {
        var (list, first, second) = AcceptBothFixes();

        Assert.Empty(first.Repairs);
        var repair = Assert.Single(second.Repairs);
        Assert.Equal("group-a", repair.Group.ModelId);
        Assert.Equal(1, repair.TargetVersion);
        Assert.Equal(2, list.Current.Number);
        Assert.Equal(3, list.Nodes.Count);
        Assert.IsType<RepairNode>(list.Nodes[^1]);
    }

    [Fact]
    public void ApplyUpdate_RepairRestoresTheProtectedGroup_ToItsBestPublishedLoss()
    {
        var (list, _, _) = AcceptBothFixes();

        Assert.Equal(0.5, LossOnA(list.HoldoutPredictions(0)), 9);
        Assert.Equal(0.0, LossOnA(list.HoldoutPredictions(1)), 9);
        Assert.Equal(0.0, LossOnA(list.Current.HoldoutPredictions), 9);
        // Without the repair, fix-b would have made rows 200–299 all wrong: a third of group A.
        var unrepaired = (float[])list.HoldoutPredictions(1).Clone();
        for (var i = 200; i < 500; i++) unrepaired[i] = i < 300 ? 1 - Label(i) : Label(i);
        Assert.Equal(1.0 / 3, LossOnA(unrepaired), 9);
        // Rows of B outside A keep fix-b's (right) answers.
        Assert.All(Enumerable.Range(300, 200), i => Assert.Equal(Label(i), list.Current.HoldoutPredictions[i]));
    }

    [Fact]
    public void Predict_OnData_MatchesCachedHoldoutPredictions_ForEveryVersion()
    {
        var (list, _, _) = AcceptBothFixes();
        var catalog = Catalog();

        foreach (var version in list.Versions)
            Assert.Equal(version.HoldoutPredictions, list.Predict(Data, catalog, version.Number));
    }

    [Fact]
    public void Json_RoundTripsByteForByte_AndKeepsBehaviour()
    {
        var (list, _, _) = AcceptBothFixes();

        var json = list.ToJson();
        var reloaded = PointerDecisionList.FromJson(json);

        Assert.Equal(json, reloaded.ToJson());
        Assert.Equal(list.Nodes, reloaded.Nodes);
        Assert.Equal(list.Current.HoldoutPredictions, reloaded.Current.HoldoutPredictions);
        Assert.Equal(list.Predict(Data, Catalog()), reloaded.Predict(Data, Catalog()));
        Assert.Equal(new HashSet<string> { "base", "fix-a", "fix-b", "group-a", "group-b" }, reloaded.ReferencedModelIds());
    }

    [Theory]
    [InlineData("{}", "not a decision list of format biasbounty.decision-list/1")]
    [InlineData("not json", "not a decision list:")]
    public void FromJson_RefusesOtherDocuments(string json, string expectedStart)
    {
        var error = Assert.Throws<ScoringInputException>(() => PointerDecisionList.FromJson(json));
        Assert.StartsWith(expectedStart, error.Message);
    }

    [Fact]
    public void ApplyUpdate_RefusesPredictionsOfAnotherHoldout()
    {
        var catalog = Catalog();
        var list = PointerDecisionList.Create("base", Holdout, catalog);
        var other = Holdout.Create(Data.SelectRows(Enumerable.Range(0, 500).ToArray()), 0.4, 7);
        var rows = RowSet.All(500);
        Assert.Throws<InvalidOperationException>(() =>
            list.ApplyUpdate(new GroupRef(null, "group-a"), rows, "fix-a", new float[500], null, other, Metric.Error, Epsilon, 1f, catalog));
    }

    [Fact]
    public void OnHoldout_KeepsTheModel_AndPredictsEveryVersionOnTheFreshRows()
    {
        var (list, _, _) = AcceptBothFixes();
        var catalog = Catalog();
        var fresh = Holdout.Create(Data.SelectRows(Enumerable.Range(100, 600).ToArray()), 0.4, 7, "fresh-holdout");

        var moved = list.OnHoldout(fresh, catalog);

        Assert.Equal("fresh-holdout", moved.HoldoutHash);
        Assert.Equal(list.BaseModelId, moved.BaseModelId);
        Assert.Equal(list.Nodes, moved.Nodes);
        Assert.Equal(list.Versions.Select(v => (v.Number, v.NodeCount, v.SubmissionId)), moved.Versions.Select(v => (v.Number, v.NodeCount, v.SubmissionId)));
        foreach (var version in moved.Versions)
        {
            Assert.Equal(600, version.HoldoutPredictions.Length);
            Assert.Equal(list.Predict(fresh.Data, catalog, version.Number), version.HoldoutPredictions);
        }
        // On the holdout it was built on, the predictions are the cached ones.
        Assert.All(list.OnHoldout(Holdout, catalog).Versions, v => Assert.Equal(list.HoldoutPredictions(v.Number), v.HoldoutPredictions));
        // And the moved list takes updates judged on the fresh holdout.
        var group = new GroupRef(null, "group-a");
        var rows = catalog.Members(group, fresh.Data);
        var next = moved.ApplyUpdate(group, rows, "fix-a", catalog.Predictor("fix-a").Predict(fresh.Data, rows.ToIndices()), "s3",
            fresh, Metric.Error, Epsilon, 1f, catalog);
        Assert.Equal(3, next.List.Current.Number);
    }
}
