using BiasBounty.Scoring.Engine;

namespace BiasBounty.Scoring.Tests.Engine;

public class GroupSizeFeasibilityTests
{
    [Fact]
    public void Of_GermanCreditWithTheDefaults_NothingIsTestable()
    {
        // 1,000 rows, holdout share 0.3 → 300; feedback 0.4 → 120 / 180; every group needs 100 rows a side in both parts.
        var feasibility = GroupSizeFeasibility.Of(300, new CompetitionSettings());

        Assert.Equal((120, 180), (feasibility.FeedbackRows, feasibility.ConfirmationRows));
        Assert.False(feasibility.AnyTestable);
        Assert.Equal(12, feasibility.SuggestedMinGroupRows);
        Assert.Equal(2_500, feasibility.SuggestedHoldoutRows);
    }

    [Fact]
    public void Of_GermanCreditWithTheSuggestedMinGroupRows_TestsTenToNinetyPercent()
    {
        var feasibility = GroupSizeFeasibility.Of(300, new CompetitionSettings { MinGroupRows = 12 });

        Assert.True(feasibility.SensibleRangeTestable);
        Assert.Equal((30, 270), (feasibility.SmallestRows, feasibility.LargestRows));
        Assert.Equal(0.1, feasibility.SmallestShare, 9);
        Assert.Equal(0.9, feasibility.LargestShare, 9);
    }

    [Fact]
    public void Of_ALargeHoldout_GivesTheRangeTheScorerAccepts()
    {
        // 10,000 rows at 0.4: 4,000 feedback rows; a group needs 100 / 0.4 = 250 rows, the rest as many.
        var feasibility = GroupSizeFeasibility.Of(10_000, new CompetitionSettings());

        Assert.True(feasibility.AnyTestable);
        Assert.Equal((250, 9_750), (feasibility.SmallestRows, feasibility.LargestRows));
        Assert.True(feasibility.SensibleRangeTestable);
    }

    [Fact]
    public void Of_TheShareGate_RaisesTheSmallestGroup()
    {
        var feasibility = GroupSizeFeasibility.Of(10_000, new CompetitionSettings { MinGroupRows = 2, MinGroupShare = 0.05 });

        Assert.Equal(500, feasibility.SmallestRows);
    }

    [Fact]
    public void Of_ExactlyAtTheBound_IsTestable()
    {
        // 500 rows at 0.4: 200 / 300; a group of 250 has 100 feedback rows, the rest 250 too.
        var feasibility = GroupSizeFeasibility.Of(500, new CompetitionSettings());

        Assert.True(feasibility.AnyTestable);
        Assert.Equal((250, 250), (feasibility.SmallestRows, feasibility.LargestRows));
        Assert.False(feasibility.SensibleRangeTestable);
    }

    [Fact]
    public void Of_AnEmptyHoldout_IsNotTestable()
    {
        var feasibility = GroupSizeFeasibility.Of(0, new CompetitionSettings());

        Assert.False(feasibility.AnyTestable);
        Assert.Equal(0, feasibility.SuggestedMinGroupRows);
    }
}
