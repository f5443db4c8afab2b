using System.Text.Json;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class AcceptBudgetTests
{
    [Fact]
    public void Start_GivesCapacityOfTwoOverEpsilonPlusOne_ForTheDefaultThreshold()
    {
        var budget = AcceptBudget.Start();

        Assert.Equal(2000, budget.K);
        Assert.Equal(2001, budget.Capacity);
        Assert.Equal(0, budget.Used);
        Assert.Equal(2001, budget.Remaining);
        Assert.False(budget.IsExhausted);
    }

    [Theory]
    [InlineData(0.001, 2000)]
    [InlineData(0.0003, 6666)]
    [InlineData(0.01, 200)]
    [InlineData(0.3, 6)]
    [InlineData(1.0, 2)]
    public void K_IsTheFloorOfTwoOverEpsilon(double epsilon, int expectedK)
    {
        Assert.Equal(expectedK, AcceptBudget.Start(epsilon).K);
    }

    [Fact]
    public void Consume_CountsDownToExhaustion_ThenRefuses()
    {
        var budget = AcceptBudget.Start(1.0); // K = 2, capacity 3

        budget = budget.Consume();
        Assert.Equal(2, budget.Remaining);
        budget = budget.Consume(2);

        Assert.Equal(3, budget.Used);
        Assert.Equal(0, budget.Remaining);
        Assert.True(budget.IsExhausted);
        Assert.Throws<InvalidOperationException>(() => budget.Consume());
    }

    [Fact]
    public void Consume_CountsEveryRepairOfAnAcceptance_EvenPastCapacity()
    {
        var budget = AcceptBudget.Start(1.0).Consume(2);

        budget = budget.Consume(3);

        Assert.Equal(5, budget.Used);
        Assert.Equal(0, budget.Remaining);
        Assert.True(budget.IsExhausted);
    }

    [Fact]
    public void Consume_RejectsNonPositiveCounts()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => AcceptBudget.Start().Consume(0)).ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Start_RejectsEpsilonOutsideItsRange(double epsilon)
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => AcceptBudget.Start(epsilon)).ParamName);
    }

    [Fact]
    public void Budget_RoundTripsThroughSystemTextJson()
    {
        var budget = AcceptBudget.Start().Consume(7);

        var json = JsonSerializer.Serialize(budget, JsonSerializerOptions.Web);
        var restored = JsonSerializer.Deserialize<AcceptBudget>(json, JsonSerializerOptions.Web);

        Assert.Equal(budget, restored);
        Assert.Equal("""{"epsilon":0.001,"used":7}""", json);
    }

    [Fact]
    public void With_ValidatesUsed()
    {
        Assert.Equal("Used", Assert.Throws<ArgumentOutOfRangeException>(() => AcceptBudget.Start() with { Used = -1 }).ParamName);
    }
}
