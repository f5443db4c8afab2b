using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Components.Tests.Submissions;

/// <summary>The submission page's status view shows the organizers' review and the points as the standings count them.</summary>
public sealed class SubmissionStatusViewReviewTests : BunitContext
{
    private static SubmissionStatus Scored(TriageState triage, string? note, double adjustment) =>
        new SubmissionStatus(Guid.NewGuid(), "demo", "Demo", "age >= 60", Metric.Error, false, SubmissionState.Scored, null, DateTimeOffset.UtcNow,
            new ReleasedView("s", ScoreStatus.Scored, "Verified finding.", true, null, null, null, null, null, null, 6.0, null))
        { Triage = triage, TriageNote = note, Adjustment = adjustment };

    [Fact]
    public void View_ShowsTheDecisionNoteAndAdjustedPoints()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(TriageState.NeedsMoreInfo, "Which rows?", -1)));

        Assert.Equal("Needs more info", cut.Find("[data-testid=triage-state]").TextContent);
        Assert.Equal("Which rows?", cut.Find("[data-testid=triage-note]").TextContent);
        Assert.Equal("5.0", cut.Find("[data-testid=points]").TextContent);
        Assert.Equal("6.0 from the engine − 1.0 awarded by the organizers", cut.Find("[data-testid=points-reason]").TextContent);
    }

    [Fact]
    public void View_ShowsZeroWithTheReason_ForADisqualifiedSubmission()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(TriageState.Disqualified, null, 2)));

        Assert.Equal("0.0", cut.Find("[data-testid=points]").TextContent);
        Assert.Equal("no points: triaged Disqualified", cut.Find("[data-testid=points-reason]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=triage-note]"));
    }
}
