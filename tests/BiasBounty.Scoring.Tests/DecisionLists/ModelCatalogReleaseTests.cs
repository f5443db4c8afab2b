using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.DecisionLists;

/// <summary>A long-lived catalog lets go of what a rejected submission brought, and keeps what the model uses.</summary>
public class ModelCatalogReleaseTests
{
    private const int Rows = 200;

    /// <summary>200 rows: an <c>id</c> 0–199 and a 0/1 label (also used by <see cref="ModelCatalogAddGroupTests"/>).</summary>
    internal static readonly Dataset Data = new(
        new DatasetSchema([new ColumnSpec("id", ColumnKind.Numeric), new ColumnSpec("y", ColumnKind.Numeric, ColumnRole.Label)], LabelColumn: "y", PositiveClass: "1"),
        [NumericColumn.FromValues("id", Enumerable.Range(0, Rows).Select(i => (float)i).ToArray()),
         NumericColumn.FromValues("y", Enumerable.Range(0, Rows).Select(i => (float)(i % 2)).ToArray())]);

    private static readonly Holdout Holdout = Holdout.Create(Data, 0.4, 7);

    private sealed class DisposableModel(Func<int, float> predict) : IRowPredictor, IDisposable
    {
        public bool Disposed { get; private set; }

        public float[] Predict(Dataset data, ReadOnlySpan<int> rows) => new RowFunctionModel(predict).Predict(data, rows);

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Release_DisposesARejectedFix_AndForgetsItsGroup_ButKeepsWhatTheListUses()
    {
        var accepted = new DisposableModel(i => i % 2);
        var rejected = new DisposableModel(_ => 0f);
        var catalog = new ModelCatalog(Data.Schema, LabelDomain.Of(Data))
            .Add("base", new RowFunctionModel(_ => 0f)).Add("fix-accepted", accepted).Add("fix-rejected", rejected);
        var acceptedGroup = GroupRef.FromExpression("id < 100");
        var acceptedRows = catalog.Members(acceptedGroup, Data);
        var list = PointerDecisionList.Create("base", Holdout, catalog).ApplyUpdate(acceptedGroup, acceptedRows, "fix-accepted",
            accepted.Predict(Data, acceptedRows.ToIndices()), "s1", Holdout, Metric.Error, 0.001, 1f, catalog).List;
        var rejectedGroup = GroupRef.FromExpression("id >= 150");
        var rejectedRows = catalog.Members(rejectedGroup, Data);

        catalog.Release(rejectedGroup, "fix-rejected", list);
        catalog.Release(acceptedGroup, "fix-accepted", list); // e.g. the same group and fix submitted again

        Assert.False(catalog.Contains("fix-rejected"));
        Assert.True(rejected.Disposed);
        Assert.True(catalog.Contains("fix-accepted"));
        Assert.False(accepted.Disposed);
        Assert.True(catalog.Contains("base"));
        Assert.NotSame(rejectedRows, catalog.Members(rejectedGroup, Data)); // evaluated again: it was forgotten
        Assert.Equal(rejectedRows.ToIndices(), catalog.Members(rejectedGroup, Data).ToIndices());
        Assert.Same(acceptedRows, catalog.Members(acceptedGroup, Data)); // a protected group's mask stays cached
    }
}
