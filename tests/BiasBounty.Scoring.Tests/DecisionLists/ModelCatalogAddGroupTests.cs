using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.DecisionLists;

/// <summary>A group compiled by the caller is cached under its canonical expression, so the catalog need not parse it again.</summary>
public class ModelCatalogAddGroupTests
{
    private static readonly Dataset Data = ModelCatalogReleaseTests.Data;

    [Fact]
    public void AddGroup_CachesTheRowsUnderTheCanonicalExpression_ForMembersAndEvaluate()
    {
        var catalog = new ModelCatalog(Data.Schema, LabelDomain.Of(Data));
        var compiled = SubgroupExpression.Compile("(id  <  100)", Data);

        var group = catalog.AddGroup(compiled, Data);

        Assert.Equal(GroupRef.FromExpression("id < 100"), group);
        var members = catalog.Members(group, Data);
        Assert.Same(members, catalog.Evaluate(group, Data)); // no second evaluation (and no parse) while it is cached
        Assert.Equal(Enumerable.Range(0, 100), members.ToIndices());
        Assert.Same(members, catalog.Members(catalog.AddGroup(compiled, Data), Data)); // adding it again keeps the rows
    }

    [Fact]
    public void AddGroup_IsForgottenOnRelease_AndEvaluateStillComputesItAfresh()
    {
        var catalog = new ModelCatalog(Data.Schema, LabelDomain.Of(Data)).Add("base", new RowFunctionModel(_ => 0f));
        var list = PointerDecisionList.Create("base", BiasBounty.Scoring.Engine.Holdout.Create(Data, 0.4, 7), catalog);
        var group = catalog.AddGroup(SubgroupExpression.Compile("id >= 150", Data), Data);
        var cached = catalog.Members(group, Data);

        catalog.Release(group, null, list);

        var fresh = catalog.Evaluate(group, Data);
        Assert.NotSame(cached, fresh);
        Assert.Equal(cached.ToIndices(), fresh.ToIndices());
        Assert.NotSame(fresh, catalog.Evaluate(group, Data)); // Evaluate itself caches nothing
    }
}
