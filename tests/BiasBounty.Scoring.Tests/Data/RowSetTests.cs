using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Tests.Data;

public class RowSetTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(10_001)]
    public void SetOperations_MatchRowByRowLogic_OnOddLengths(int rows)
    {
        var (a, b) = (Random(rows, seed: 1, share: 0.5), Random(rows, seed: 2, share: 0.3));

        Assert.Equal(Reference(rows, i => a.Contains(i) && b.Contains(i)), a.And(b));
        Assert.Equal(Reference(rows, i => a.Contains(i) || b.Contains(i)), a.Or(b));
        Assert.Equal(Reference(rows, i => a.Contains(i) && !b.Contains(i)), a.AndNot(b));
        Assert.Equal(Reference(rows, i => !a.Contains(i)), a.Not());
        Assert.Equal(rows - a.Count(), a.Not().Count()); // no bits past the end
        var inPlace = a.Clone();
        inPlace.AndInPlace(b);
        Assert.Equal(a.And(b), inPlace);
        Assert.Equal(a.And(b).Count(), a.IntersectionCount(b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(100_003)]
    public void SplitCounts_EqualsCountsOfTheExplicitSets(int rows)
    {
        var members = Random(rows, seed: 3, share: 0.2);
        var eligible = Random(rows, seed: 4, share: 0.9);
        var part = Random(rows, seed: 5, share: 0.6);
        var marked = Random(rows, seed: 6, share: 0.25);

        var (inside, insideMarked, outside, outsideMarked) = members.SplitCounts(eligible, part, marked);

        int Count(Func<int, bool> member) => Enumerable.Range(0, rows).Count(member);
        bool Within(int i) => eligible.Contains(i) && part.Contains(i);
        Assert.Equal(Count(i => Within(i) && members.Contains(i)), inside);
        Assert.Equal(Count(i => Within(i) && members.Contains(i) && marked.Contains(i)), insideMarked);
        Assert.Equal(Count(i => Within(i) && !members.Contains(i)), outside);
        Assert.Equal(Count(i => Within(i) && !members.Contains(i) && marked.Contains(i)), outsideMarked);
    }

    [Fact]
    public void SetOperations_RejectSetsOverDifferentRowCounts()
    {
        var (a, b) = (new RowSet(64), new RowSet(65));

        Assert.Throws<ArgumentException>("other", () => a.And(b));
        Assert.Throws<ArgumentException>("other", () => a.SplitCounts(a, b, a));
    }

    private static RowSet Random(int rows, int seed, double share)
    {
        var random = new Random(seed);
        return RowSet.FromPredicate(rows, _ => random.NextDouble() < share);
    }

    private static RowSet Reference(int rows, Func<int, bool> member) => RowSet.FromPredicate(rows, member);
}
