using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Scoring;

namespace BiasBounty.Web.Tests.Scoring;

public sealed class CompetitionRuntimeTests
{
    private static CompetitionRuntime Runtime()
    {
        var data = new Dataset(
            new DatasetSchema([new ColumnSpec("id", ColumnKind.Numeric), new ColumnSpec("y", ColumnKind.Numeric, ColumnRole.Label)], LabelColumn: "y", PositiveClass: "1"),
            [NumericColumn.FromValues("id", Enumerable.Range(0, 100).Select(i => (float)i).ToArray()),
             NumericColumn.FromValues("y", Enumerable.Range(0, 100).Select(i => (float)(i % 2)).ToArray())]);
        return new CompetitionRuntime(Holdout.Create(data, 0.4, 7), new ModelCatalog(data.Schema, LabelDomain.Of(data)));
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
}
