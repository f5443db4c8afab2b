using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Components.Tests.Submissions;

public sealed class SubmissionRowTests : BunitContext
{
    private static SubmissionStatus Scored(TriageState triage, string? note, double adjustment = 0) =>
        new SubmissionStatus(Guid.NewGuid(), "demo", "Demo", "age >= 60", Metric.Error, false, SubmissionState.Scored, null, DateTimeOffset.UtcNow,
            new ReleasedView("s", ScoreStatus.Scored, "Verified finding.", true, null, null, null, null, null, null, 6.0, null))
        { Triage = triage, TriageNote = note, Adjustment = adjustment };

    // A row renders inside a table body, as the pages use it.
    private IRenderedComponent<SubmissionRow> RenderRow(SubmissionStatus status, bool showCompetition = false) =>
        Render<SubmissionRow>(p => p.Add(x => x.Status, status).Add(x => x.ShowCompetition, showCompetition));

    [Fact]
    public void Row_ShowsTheTriageLabelAndNote_AndThePointsWithTheAdjustment()
    {
        var status = Scored(TriageState.Approved, "Well argued", adjustment: 1.5);

        var cut = RenderRow(status, showCompetition: true);

        Assert.Equal(status.Id.ToString(), cut.Find("tr").GetAttribute("data-submission-id"));
        Assert.Equal("Scored", cut.Find("td.state").TextContent);
        Assert.Equal("Approved", cut.Find("td.triage").TextContent);
        Assert.Equal("Well argued", cut.Find("td.note").TextContent);
        Assert.StartsWith("7.5", cut.Find("td.points").TextContent.Trim());
        Assert.Equal("6.0 from the engine + 1.5 awarded by the organizers", cut.Find("td.points .points-reason").TextContent);
        Assert.Equal("Demo", cut.Find("td.competition").TextContent);
        // the shared visual language: a badge (icon and colour beside the word) for the state and the decision
        Assert.Contains("bb-badge-info", cut.Find("td.state .bb-badge").ClassList);
        Assert.Contains("bb-badge-accepted", cut.Find("td.triage .bb-badge").ClassList);
    }

    [Theory]
    [InlineData(TriageState.Duplicate, "Duplicate")]
    [InlineData(TriageState.Disqualified, "Disqualified")]
    public void Row_ShowsZeroWithTheReason_WhenTheDecisionForfeitsThePoints(TriageState triage, string label)
    {
        var cut = RenderRow(Scored(triage, "See the rules", adjustment: 3));

        Assert.Equal(label, cut.Find("td.triage").TextContent);
        Assert.Equal("See the rules", cut.Find("td.note").TextContent);
        Assert.StartsWith("0.0", cut.Find("td.points").TextContent.Trim());
        Assert.Equal($"no points: triaged {label}", cut.Find("td.points .points-reason").TextContent);
        Assert.Empty(cut.FindAll("td.competition"));
    }

    [Fact]
    public void Row_ShowsNeedsMoreInfo_AndNoPoints_BeforeScoring()
    {
        var queued = new SubmissionStatus(Guid.NewGuid(), "demo", "Demo", "age >= 60", Metric.Error, true, SubmissionState.Queued, null, DateTimeOffset.UtcNow, null)
        { Triage = TriageState.NeedsMoreInfo, TriageNote = "Which rows?" };

        var cut = RenderRow(queued);

        Assert.Equal("Needs more info", cut.Find("td.triage").TextContent);
        Assert.Equal("", cut.Find("td.points").TextContent.Trim());
        Assert.Contains("+ fix", cut.Find("td.group").TextContent);
    }
}
