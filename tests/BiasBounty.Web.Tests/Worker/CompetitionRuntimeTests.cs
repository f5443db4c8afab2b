using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Worker;

namespace BiasBounty.Web.Tests.Worker;

public sealed class CompetitionRuntimeTests
{
    private sealed class DisposableModel : IRowPredictor, IDisposable
    {
        public bool Disposed { get; private set; }

        public float[] Predict(Dataset data, ReadOnlySpan<int> rows) => new float[rows.Length];

        public void Dispose() => Disposed = true;
    }

    private static CompetitionRuntime Runtime(IRowPredictor? model = null)
    {
        var data = new Dataset(
            new DatasetSchema([new ColumnSpec("id", ColumnKind.Numeric), new ColumnSpec("y", ColumnKind.Numeric, ColumnRole.Label)], LabelColumn: "y", PositiveClass: "1"),
            [NumericColumn.FromValues("id", Enumerable.Range(0, 100).Select(i => (float)i).ToArray()),
             NumericColumn.FromValues("y", Enumerable.Range(0, 100).Select(i => (float)(i % 2)).ToArray())]);
        var catalog = new ModelCatalog(data.Schema, LabelDomain.Of(data));
        if (model is not null) catalog.Add("fix", model);
        return new CompetitionRuntime(Holdout.Create(data, 0.4, 7), catalog);
    }

    [Fact]
    public async Task Exclusive_LetsOneDecisionUseTheCatalogAtATime_AndReleasesOnce()
    {
        var runtime = Runtime();

        var first = await runtime.ExclusiveAsync(CancellationToken.None);
        var second = runtime.ExclusiveAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted); // waits while the first holds it

        first.Dispose();
        first.Dispose(); // a second dispose must not let two in at once
        using var held = await second.WaitAsync(TimeSpan.FromSeconds(10));
        var third = runtime.ExclusiveAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
    }

    [Fact]
    public async Task Retire_WaitsForTheDecisionUsingTheCatalog_ThenDisposesItsModels()
    {
        var model = new DisposableModel();
        var runtime = Runtime(model);
        var decision = await runtime.ExclusiveAsync(CancellationToken.None);

        var retiring = runtime.RetireAsync();
        await Task.Delay(50);
        Assert.False(retiring.IsCompleted);
        Assert.False(model.Disposed); // still in use
        Assert.False(runtime.IsRetired);

        decision.Dispose();
        await retiring.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(model.Disposed);
        Assert.True(runtime.IsRetired); // a caller that fetched it before the eviction fetches a fresh one
    }
}
