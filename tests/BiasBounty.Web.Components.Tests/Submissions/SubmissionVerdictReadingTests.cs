using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Components.Tests.Submissions;

/// <summary>Issue 11: a verdict a newcomer can read (direction, icons, p and pp explained, the two holdout parts, points).</summary>
public sealed class SubmissionVerdictReadingTests : BunitContext
{
    private static SubmissionStatus Scored(ReleasedView released, TriageState triage = TriageState.Scored, double findingWeight = 0.25) =>
        new(Guid.NewGuid(), "demo", "Demo", "age >= 60 and sex == \"Female\"", Metric.Error, released.FixVerified is not null, SubmissionState.Scored, null,
            DateTimeOffset.UtcNow, released) { Triage = triage, FindingWeight = findingWeight };

    // The newcomer's case: 11.2 % error on the group against 14.8 % elsewhere.
    private static readonly FeedbackNumbers BetterOnTheGroup = new(1000, 112, 9000, 1332, 11.2, 14.8, null, null);

    private static ReleasedView NotVerified(FeedbackNumbers feedback) => new("s1", ScoreStatus.Scored,
        SubmissionScorer.NotVerifiedText(feedback), false, PValueBand.NotSignificant, EffectBand.LessThan1pp, null, null, null, feedback, 0, null);

    [Fact]
    public void View_ShowsSuccessAndFailure_WithAnIconAndWords_NotColourAlone()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(NotVerified(BetterOnTheGroup))));

        var finding = cut.Find("[data-testid=finding] strong");
        Assert.Contains("verdict-no", finding.ClassList);
        Assert.Equal("✘", finding.QuerySelector("[aria-hidden=true]")!.TextContent.Trim());
        Assert.Contains("not verified", finding.TextContent);
        Assert.Contains("does better on this group", cut.Find("[data-testid=summary]").TextContent);
    }

    [Fact]
    public void View_ExplainsPAndPp_OnHoverAndLinksTheHelpPage()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(NotVerified(BetterOnTheGroup))));

        var abbreviations = cut.FindAll("[data-testid=finding] abbr");
        Assert.Equal(["p", "pp"], abbreviations.Select(a => a.TextContent));
        Assert.All(abbreviations, a => Assert.False(string.IsNullOrWhiteSpace(a.GetAttribute("title"))));
        Assert.All(abbreviations, a => Assert.Equal("0", a.GetAttribute("tabindex")));
        Assert.Equal("help/verdicts", cut.Find("[data-testid=verdicts-help]").GetAttribute("href"));
    }

    [Fact]
    public void View_ExplainsTheTwoParts_WhenARejectedFixLooksBetterOnTheFeedback()
    {
        var feedback = new FeedbackNumbers(1000, 200, 9000, 1332, 20.0, 14.8, 150, 15.0);
        var released = new ReleasedView("s1", ScoreStatus.Scored, "Fix not accepted.", true, PValueBand.LessThan0001, EffectBand.From5To10pp,
            false, PValueBand.NotSignificant, EffectBand.LessThan1pp, feedback, 12.5, null);

        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(released)));

        var why = cut.Find("[data-testid=parts-explained]").TextContent;
        Assert.Contains("confirmation part", why);
        Assert.Contains("feedback", why);
    }

    [Fact]
    public void View_SaysNothingOfTheParts_WhenBandAndFeedbackAgree()
    {
        var feedback = new FeedbackNumbers(1000, 200, 9000, 1332, 20.0, 14.8, 170, 17.0);
        var released = new ReleasedView("s1", ScoreStatus.Scored, "Fix accepted.", true, PValueBand.LessThan0001, EffectBand.From5To10pp,
            true, PValueBand.LessThan001, EffectBand.From2To5pp, feedback, 30.0, null);

        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(released)));

        Assert.Empty(cut.FindAll("[data-testid=parts-explained]"));
    }

    [Fact]
    public void View_CallsScoredTriage_AwaitingReview()
    {
        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(NotVerified(BetterOnTheGroup))));

        Assert.Equal("Awaiting review", cut.Find("[data-testid=triage-state]").TextContent);
        Assert.Equal("Scored", TriageState.Scored.Label()); // organizers keep their queue's name
    }

    [Fact]
    public void Breakdown_OfAVerifiedFinding_StatesTheFormulaAndTheRangeTheBandsAllow()
    {
        // 10 % of the rows, gap band 2–5 pp, weight 0.25: between 0.25 × 10,000 × 0.10 × 0.02 = 5 and × 0.05 = 12.5 points.
        var feedback = new FeedbackNumbers(1000, 200, 9000, 1332, 20.0, 14.8, null, null);
        var released = new ReleasedView("s1", ScoreStatus.Scored, "Finding verified.", true, PValueBand.LessThan0001, EffectBand.From2To5pp,
            null, null, null, feedback, 10.0, null);

        var cut = Render<SubmissionStatusView>(p => p.Add(x => x.Status, Scored(released)));

        var lines = cut.FindAll("[data-testid=points-breakdown] li").Select(li => li.TextContent).ToArray();
        Assert.Contains(lines, l => l.Contains("finding weight 0.25 × 10,000 × share of the group × gap = 10.0"));
        Assert.Contains(lines, l => l.Contains("share ≈ 10.0 %") && l.Contains("about 5.0–12.5 points"));
        Assert.Contains(lines, l => l.Contains("only the total is exact"));
        Assert.Equal("help/points", cut.Find("[data-testid=points-breakdown] a").GetAttribute("href"));
    }

    [Fact]
    public void Breakdown_OfTheTopGapBand_SaysAtLeast_NotAnOpenRange()
    {
        // 10 % of the rows, gap ≥ 10 pp, weight 0.25: at least 0.25 × 10,000 × 0.10 × 0.10 = 25 points.
        var feedback = new FeedbackNumbers(1000, 200, 9000, 1332, 20.0, 14.8, null, null);
        var released = new ReleasedView("s1", ScoreStatus.Scored, "Finding verified.", true, PValueBand.LessThan0001, EffectBand.Over10pp,
            null, null, null, feedback, 40.0, null);

        var lines = PointsBreakdown.For(Scored(released));

        Assert.Contains(lines, l => l.Contains("that gives at least about 25.0 points"));
        Assert.DoesNotContain(lines, l => l.Contains("–more"));
    }

    [Fact]
    public void Breakdown_OfAnAcceptedFix_DerivesTheImprovementFromThePoints()
    {
        var feedback = new FeedbackNumbers(1000, 200, 9000, 1332, 20.0, 14.8, 170, 17.0);
        var released = new ReleasedView("s1", ScoreStatus.Scored, "Fix accepted.", true, PValueBand.LessThan0001, EffectBand.From5To10pp,
            true, PValueBand.LessThan001, EffectBand.From2To5pp, feedback, 30.0, null);

        var lines = PointsBreakdown.For(Scored(released) with { Adjustment = 2 });

        Assert.Contains(lines, l => l.StartsWith("Accepted fix: points = 10,000 × share of the group (μ) × improvement on the group (Δ) = 30.0"));
        Assert.Contains(lines, l => l.Contains("μ ≈ 10.0 %") && l.EndsWith("≈ 3.0 pp."));
        Assert.Contains(lines, l => l.Contains("+ 2.0 awarded by the organizers = 32.0"));
    }
}
