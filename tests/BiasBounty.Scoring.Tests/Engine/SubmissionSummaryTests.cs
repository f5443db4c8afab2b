using BiasBounty.Scoring.Engine;

namespace BiasBounty.Scoring.Tests.Engine;

/// <summary>Issue 11: a finding that is not verified says which way the released feedback numbers point.</summary>
public class SubmissionSummaryTests
{
    [Fact]
    public void NotVerified_SaysTheModelDoesBetterOnTheGroup_WhenTheFeedbackPointsThatWay()
    {
        // the newcomer's case: 11.2 % error on `age >= 60 and sex == "Female"` against 14.8 % elsewhere
        var text = SubmissionScorer.NotVerifiedText(new FeedbackNumbers(1000, 112, 9000, 1332, 11.2, 14.8, null, null));

        Assert.Contains("does better on this group than elsewhere", text);
        Assert.Contains("11.2 %", text);
        Assert.Contains("14.8 %", text);
        Assert.DoesNotContain("not strong enough", text);
    }

    [Fact]
    public void NotVerified_SaysTheEvidenceIsNotStrongEnough_WhenTheFeedbackShowsAGap()
    {
        var text = SubmissionScorer.NotVerifiedText(new FeedbackNumbers(1000, 160, 9000, 1332, 16.0, 14.8, null, null));

        Assert.Contains("seems to do worse", text);
        Assert.Contains("not strong enough", text);
    }

    [Fact]
    public void NotVerified_WithoutReleasedNumbers_SaysNothingOfTheDirection()
    {
        // no feedback numbers are released for a group too small on the feedback part: the summary must not reveal more
        var text = SubmissionScorer.NotVerifiedText(null);

        Assert.DoesNotContain("better", text);
        Assert.DoesNotContain("%", text);
    }

    [Fact]
    public void NotVerified_OnAWordErrorRateTable_SpeaksOfTheSystemsWordErrorRate()
    {
        var text = SubmissionScorer.NotVerifiedText(new FeedbackNumbers(1000, 300, 9000, 2250, 30.0, 25.0, null, null), Metric.Wer);

        Assert.Contains("the system seems to do worse on this group (word error rate 30.0 % in the group vs 25.0 % elsewhere", text);
        Assert.DoesNotContain("model", text);
    }
}
