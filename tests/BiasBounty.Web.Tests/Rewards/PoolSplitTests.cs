using BiasBounty.Web.Rewards;

namespace BiasBounty.Web.Tests.Rewards;

/// <summary>The pool-splitting arithmetic (SCORING.md §8): proportional, to the cent, largest remainder, exact sums.</summary>
public sealed class PoolSplitTests
{
    private static IReadOnlyDictionary<string, decimal> Split(decimal pool, params (string Team, double Points)[] points) =>
        PoolSplit.Split(pool, points.Select(p => KeyValuePair.Create(p.Team, p.Points)));

    [Fact]
    public void Split_IsProportional_WhenTheSharesComeOutInWholeCents()
    {
        var amounts = Split(1000m, ("a", 30), ("b", 10), ("c", 60));

        Assert.Equal(300m, amounts["a"]);
        Assert.Equal(100m, amounts["b"]);
        Assert.Equal(600m, amounts["c"]);
    }

    [Fact]
    public void Split_GivesTheLeftoverCents_ToTheLargestRemainders()
    {
        // 100 / 3 = 33.333…: two cents are short after rounding down; thirds tie, so the smaller keys get them.
        var thirds = Split(100m, ("c", 1), ("a", 1), ("b", 1));
        Assert.Equal(33.34m, thirds["a"]);
        Assert.Equal(33.33m, thirds["b"]);
        Assert.Equal(33.33m, thirds["c"]);

        // 10.00 by 1 : 2 : 4 = 1.428571…, 2.857142…, 5.714285…; floors 1.42 + 2.85 + 5.71 = 9.98; remainders .857, .714, .571.
        var sevenths = Split(10m, ("one", 1), ("two", 2), ("four", 4));
        Assert.Equal(1.43m, sevenths["one"]);
        Assert.Equal(2.86m, sevenths["two"]);
        Assert.Equal(5.71m, sevenths["four"]);
    }

    [Fact]
    public void Split_LeavesOutTeamsWithoutPoints_AndIsEmptyWhenNobodyHasAny()
    {
        var amounts = Split(500m, ("paid", 12.5), ("zero", 0), ("negative", -3), ("nan", double.NaN));
        Assert.Equal(["paid"], amounts.Keys);
        Assert.Equal(500m, amounts["paid"]);

        Assert.Empty(Split(500m, ("zero", 0)));
        Assert.Empty(Split(500m));
    }

    [Fact]
    public void Split_OfAnEmptyPool_GivesEveryTeamNothing()
    {
        var amounts = Split(0m, ("a", 1), ("b", 2));
        Assert.Equal([0m, 0m], amounts.Values);
    }

    [Fact]
    public void Split_RefusesANegativePool() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Split(-1m, ("a", 1)));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Split_Properties_HoldForRandomPoolsAndPoints(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var pool = random.Next(0, 10_000_000) / 100m;
            var teams = Enumerable.Range(0, random.Next(1, 40))
                .Select(i => (Team: $"team-{i:D2}", Points: Math.Round(random.NextDouble() * 500, 1)))
                .ToArray();
            var amounts = Split(pool, teams);
            var paid = teams.Where(t => t.Points > 0).ToArray();
            if (paid.Length == 0)
            {
                Assert.Empty(amounts);
                continue;
            }

            // sums exactly to the pool
            Assert.Equal(pool, amounts.Values.Sum());
            // proportional within a cent
            var total = paid.Sum(t => (decimal)t.Points);
            foreach (var (team, points) in paid)
                Assert.InRange(amounts[team] - pool * (decimal)points / total, -0.01m, 0.01m);
            // more points never earn less
            foreach (var a in paid)
                foreach (var b in paid.Where(b => b.Points > a.Points))
                    Assert.True(amounts[b.Team] >= amounts[a.Team], $"{b.Team} ({b.Points}) got less than {a.Team} ({a.Points})");
            // order-independent
            var shuffled = teams.OrderBy(_ => random.Next()).ToArray();
            Assert.Equal(amounts.OrderBy(a => a.Key), Split(pool, shuffled).OrderBy(a => a.Key));
        }
    }
}
