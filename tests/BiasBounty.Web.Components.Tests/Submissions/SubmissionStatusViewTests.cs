using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Components.Tests.Submissions;

public sealed class SubmissionStatusViewTests : BunitContext
{
    private static SubmissionStatus Status(SubmissionState state, ReleasedView? released = null, string? reason = null) =>
        new(Guid.NewGuid(), "demo", "Demo", "age >= 60", Metric.Error, true, state, reason, DateTimeOffset.UtcNow, released);

    private static ReleasedView Released() => new(
        "s1", ScoreStatus.Scored, "Verified finding; fix accepted (version 1).", true, PValueBand.LessThan0001, EffectBand.From5To10pp,
        true, PValueBand.LessThan001, EffectBand.From2To5pp,
        new FeedbackNumbers(1200, 300, 8800, 1300, 25.0, 14.8, 240, 20.0), 12.5, null);

    [Theory]
    [InlineData(SubmissionState.Queued)]
    [InlineData(SubmissionState.Scoring)]
    public void View_ShowsTheStateAndNoVerdict_WhileWaiting(SubmissionState state)
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Status(state)));

        Assert.Equal(state.ToString(), cut.Find("[data-testid=submission-state]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=verdict]"));
    }

    [Fact]
    public void View_ShowsTheReleasedView_WhenScored()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Status(SubmissionState.Scored, Released())));

        Assert.Equal("Scored", cut.Find("[data-testid=submission-state]").TextContent);
        Assert.Contains("Verified finding; fix accepted", cut.Find("[data-testid=verdict]").TextContent);
        Assert.Equal("✔ verified, p < 0.001, gap 5–10 pp (confirmation part)", cut.Find("[data-testid=finding]").TextContent);
        Assert.Equal("✔ accepted, p < 0.01, improvement 2–5 pp (confirmation part)", cut.Find("[data-testid=fix]").TextContent);
        Assert.Contains("25.0 %", cut.Find("[data-testid=feedback]").TextContent);
        Assert.Equal("12.5", cut.Find("[data-testid=points]").TextContent);
    }

    [Fact]
    public void View_OfAWordErrorRateCompetition_GivesTheFeedbackAsWordErrorRates()
    {
        var released = Released() with { FixVerified = null, FixPBand = null, FixEffect = null, Feedback = new FeedbackNumbers(1200, 420, 8800, 1760, 35.0, 20.0, null, null) };
        var status = Status(SubmissionState.Scored, released) with { Metric = Metric.Wer, HasFix = false };

        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, status));

        Assert.Equal("word error rate 35.0 % in the group (about 420 errors in 1,200 words) vs 20.0 % elsewhere (about 1,760 errors in 8,800 words)",
            System.Text.RegularExpressions.Regex.Replace(cut.Find("[data-testid=feedback]").TextContent.Trim(), @"\s+", " "));
    }

    [Fact]
    public void View_ShowsTheReason_WhenFailed()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Status(SubmissionState.Failed, reason: "the model is not a valid ONNX file")));

        Assert.Equal("Failed", cut.Find("[data-testid=submission-state]").TextContent);
        Assert.Contains("not a valid ONNX file", cut.Find("[data-testid=failure-reason]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=verdict]"));
    }

    [Fact]
    public void View_CanOnlyBeGivenTheReleasedView_NeverTheInternalRecord()
    {
        // The status the view renders has no property through which a ScoreRecord (exact p-values, holdout counts) could arrive.
        var types = typeof(SubmissionStatus).GetProperties().Select(p => p.PropertyType)
            .Concat(typeof(ReleasedView).GetProperties().Select(p => p.PropertyType));
        Assert.DoesNotContain(typeof(ScoreRecord), types);
        Assert.DoesNotContain(typeof(SubmissionStatusView).GetProperties(), p => p.PropertyType == typeof(ScoreRecord) || p.PropertyType == typeof(SubmissionScore));
    }
}
