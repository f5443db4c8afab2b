using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Scoring.Tests.Engine;

public class SubmissionScorerTests
{
    private const string OlderSouth = "region == \"South\" and age >= 60";

    [Fact]
    public void Score_VerifiesPlantedFinding_AndAcceptsItsKnownFix()
    {
        var fixture = new ScoringFixture();

        var outcome = fixture.Submit("s1", OlderSouth, "fix-0");

        var record = outcome.Record;
        Assert.Equal(ScoreStatus.Scored, record.Status);
        Assert.True(record.FindingVerified, string.Join("; ", record.Finding!.Reasons));
        Assert.True(record.FixVerified, string.Join("; ", record.Fix!.Reasons));
        Assert.Equal(1, record.Fix!.NewVersion);
        Assert.Equal(1, outcome.Model.Current.Number);
        Assert.True(outcome.ModelChanged);
        Assert.Equal(Math.Round(10_000 * record.Fix.GroupShare * record.Fix.Delta, 1, MidpointRounding.AwayFromZero), record.Points);
        Assert.Equal((double)(record.Fix.CurrentWrongFixRight - record.Fix.CurrentRightFixWrong) / record.Fix.GroupRows, record.Fix.Delta, 12);
        Assert.Equal(SubmissionScorer.EngineVersion, record.Provenance.EngineVersion);
        Assert.Equal(fixture.Holdout.ContentHash, record.Provenance.HoldoutHash);
        Assert.Equal(0, record.Provenance.ModelVersion);
    }

    [Fact]
    public void Score_OverallGainOfAcceptedUpdate_EqualsShareTimesGroupGain_OnConfirmationRows()
    {
        var fixture = new ScoringFixture();
        var before = fixture.Model.Current.HoldoutPredictions;

        var fix = fixture.Submit("s1", OlderSouth, "fix-0").Record.Fix!;

        var after = fixture.Model.Current.HoldoutPredictions;
        var rows = fixture.Holdout.Confirmation.ToIndices();
        var lossBefore = PointerDecisionList.MeanLoss(before, rows, fixture.Holdout.Y, Metric.Error, 1f);
        var lossAfter = PointerDecisionList.MeanLoss(after, rows, fixture.Holdout.Y, Metric.Error, 1f);
        Assert.Equal(fix.OverallGain, lossBefore - lossAfter, 12);
    }

    [Fact]
    public void Score_DuplicateMask_IsAnsweredFromTheEarlierRecord_WithoutTestOrPoints()
    {
        var fixture = new ScoringFixture();
        var first = fixture.Submit("s1", OlderSouth);
        var ledgersBefore = fixture.Ledgers;

        // Written differently, same rows.
        var second = fixture.Submit("s2", "age >= 60 and region in (\"South\")");

        Assert.Equal(ScoreStatus.Duplicate, second.Record.Status);
        Assert.Equal("s1", second.Record.DuplicateOf);
        Assert.Equal(0, second.Released.Points);
        Assert.Equal(first.Released.Feedback, second.Released.Feedback);
        Assert.Equal(first.Released.FindingVerified, second.Released.FindingVerified);
        Assert.Equal(first.Released.FindingPBand, second.Released.FindingPBand);
        Assert.Equal(ledgersBefore, fixture.Ledgers);
        Assert.Null(second.Record.Finding);
    }

    [Fact]
    public void Score_FlagsNearDuplicate_OfAnAcceptedGroup()
    {
        var fixture = new ScoringFixture();
        fixture.Submit("s1", OlderSouth, "fix-0");

        var near = fixture.Submit("s2", "region == \"South\" and age >= 60 and tenure != 30");

        var flag = Assert.Single(near.Record.NearDuplicates);
        Assert.Equal("s1", flag.SubmissionId);
        Assert.InRange(flag.Jaccard, 0.95, 1.0);
    }

    [Fact]
    public void Score_AfterAcceptance_SameFixNoLongerImprovesTheNewModel()
    {
        var fixture = new ScoringFixture();
        fixture.Submit("s1", OlderSouth, "fix-0");

        // A slightly different group (not a duplicate) with the same fix: the model already predicts like the fix there.
        var again = fixture.Submit("s2", "region == \"South\" and age >= 61", "fix-0");

        Assert.Equal(ScoreStatus.Scored, again.Record.Status);
        Assert.False(again.Record.FixVerified);
        Assert.Equal(0, again.Record.Fix!.CurrentWrongFixRight);
        Assert.Equal(1, fixture.Model.Current.Number);
    }

    [Fact]
    public void Score_RefusesTinyGroup_WithoutSayingItsSize()
    {
        var fixture = new ScoringFixture();

        var outcome = fixture.Submit("s1", "age == 18 and region == \"North\" and tenure == 3");

        Assert.Equal(ScoreStatus.Refused, outcome.Record.Status);
        Assert.Equal("Not scored: group too small (the group and the rest must each hold enough rows of the holdout).", outcome.Released.Summary);
        Assert.Null(outcome.Released.Feedback);
        Assert.Equal(fixture.Ledgers, Ledgers.Start(0.05));
    }

    [Fact]
    public void Score_RefusesGroupCoveringAlmostEveryone()
    {
        var outcome = new ScoringFixture().Submit("s1", "age >= 18 and not (age == 40 and tenure == 3)");

        Assert.Equal(ScoreStatus.Refused, outcome.Record.Status);
        // The same answer as for a tiny group: a refusal does not say which side of the holdout was short.
        Assert.StartsWith("group too small", outcome.Record.RefusalReason);
    }

    [Theory]
    [InlineData(Metric.Squared, null, "squared error is for regression labels; use error, fpr or fnr")]
    [InlineData(Metric.LossColumn, null, "the lossColumn metric needs the organizer's error and size columns")]
    [InlineData(Metric.Fpr, "fix-0", "fixes are judged on the competition's metric (error); submit the fix with that metric")]
    public void Score_RefusesMetricThatDoesNotFit(Metric metric, string? fix, string reason)
    {
        var outcome = new ScoringFixture().Submit("s1", OlderSouth, fix, metric);

        Assert.Equal(ScoreStatus.Refused, outcome.Record.Status);
        Assert.Equal(reason, outcome.Record.RefusalReason);
    }

    [Theory]
    [InlineData(Metric.Fpr)]
    [InlineData(Metric.Fnr)]
    public void Score_TestsFindingsOnRateMetrics_OnlyOnEligibleRows(Metric metric)
    {
        var fixture = new ScoringFixture();
        var outcome = fixture.Submit("s1", OlderSouth, metric: metric);

        var finding = outcome.Record.Finding!;
        var eligibleY = metric == Metric.Fpr ? 0f : 1f;
        var members = fixture.Catalog.Members(GroupRef.FromExpression(OlderSouth), fixture.Holdout.Data)
            .And(fixture.Holdout.Confirmation);
        var expected = members.ToIndices().Count(i => fixture.Holdout.Y[i] == eligibleY);
        Assert.Equal(expected, finding.GroupRows);
    }

    [Fact]
    public void Release_ShowsOnlyBandsAndRoundedNoisyCounts()
    {
        var outcome = new ScoringFixture().Submit("s1", OlderSouth, "fix-0");
        var feedback = outcome.Released.Feedback!;

        foreach (var count in new[] { feedback.GroupRows, feedback.GroupErrors, feedback.ComplementRows, feedback.ComplementErrors, feedback.FixGroupErrors })
        {
            Assert.NotNull(count);
            var step = count switch { < 100 => 10, < 1_000 => 50, < 10_000 => 100, _ => 10 };
            Assert.Equal(0, count!.Value % step);
        }
        Assert.Equal(Math.Round(feedback.GroupErrorPercent, 1), feedback.GroupErrorPercent);
        Assert.NotNull(outcome.Released.FindingPBand);
        Assert.NotNull(outcome.Released.FixEffect);
    }

    [Fact]
    public void Release_IsTheSameForTheSameMask_AcrossFreshCompetitions()
    {
        var a = new ScoringFixture().Submit("s1", OlderSouth).Released.Feedback;
        var b = new ScoringFixture().Submit("other-id", OlderSouth).Released.Feedback;

        Assert.Equal(a, b);
    }

    [Fact]
    public void Release_SuppressesFeedback_WhenTheGroupHasFewerThan15FeedbackRows()
    {
        var fixture = new ScoringFixture(settings: new CompetitionSettings { MinGroupRows = 5, MinGroupShare = 0 });

        var outcome = fixture.Submit("s1", "age == 18 and region == \"North\" and education == \"College\"");

        Assert.Equal(ScoreStatus.Scored, outcome.Record.Status);
        Assert.Null(outcome.Released.Feedback);
    }

    [Fact]
    public void Score_SpendsFindingLedger_OnEachTest()
    {
        var fixture = new ScoringFixture();
        var level = fixture.Ledgers.Findings.NextLevel;

        var verified = fixture.Submit("s1", OlderSouth);
        Assert.True(verified.Record.FindingVerified);
        Assert.Equal(level, verified.Record.Finding!.Level);
        Assert.Equal(0.05 / 2 + 0.05 / 2, fixture.Ledgers.Findings.Wealth, 12);

        var failed = fixture.Submit("s2", "sex == \"Female\"");
        Assert.False(failed.Record.FindingVerified);
        var alpha = failed.Record.Finding!.Level;
        Assert.Equal(0.05 - alpha / (1 - alpha), fixture.Ledgers.Findings.Wealth, 12);
    }

    [Fact]
    public void Score_FindingOnlySubmission_EarnsWeightedGapPoints()
    {
        var outcome = new ScoringFixture().Submit("s1", OlderSouth);
        var finding = outcome.Record.Finding!;

        var share = (double)finding.GroupRows / (finding.GroupRows + finding.ComplementRows);
        Assert.Equal(Math.Round(0.25 * 10_000 * share * finding.Difference, 1, MidpointRounding.AwayFromZero), outcome.Record.Points);
        Assert.True(outcome.Record.Points > 0);
    }

    [Fact]
    public void Score_SpeechTable_VerifiesPlantedWordErrorGap_WithDeltaMethod()
    {
        // Without a cluster column the rows count as independent: the per-row delta method.
        var speech = PlantedBiasGenerator.Speech(40_000, seed: 5);
        var data = speech.WithSchema(speech.Schema with { ClusterColumn = null });
        var holdout = Holdout.Create(data, 0.4, 11);
        var catalog = new ModelCatalog(data.Schema, null).Add("none", new RowFunctionModel(_ => 0f));
        var settings = new CompetitionSettings { Metric = Metric.LossColumn };

        var outcome = SubmissionScorer.Score(new ScoringRequest(settings, holdout, PointerDecisionList.Create("none", holdout, catalog),
            Ledgers.Start(0.05), catalog, SubmissionHistory.Empty,
            new SubmissionInput("s1", GroupRef.FromExpression("accent == \"Scottish\" and noise == \"car\""), null, Metric.LossColumn)));

        Assert.True(outcome.Record.FindingVerified, string.Join("; ", outcome.Record.Finding!.Reasons));
        Assert.Equal("delta-method z", outcome.Record.Finding!.Test);
        Assert.InRange(outcome.Record.Finding.GroupRate - outcome.Record.Finding.ComplementRate, 0.08, 0.16);
    }

    [Fact]
    public void Score_SpeechTable_WithSpeakers_TestsClusterRobustly_AndKeepsEachSpeakerInOnePart()
    {
        var data = PlantedBiasGenerator.Speech(40_000, seed: 5);
        var holdout = Holdout.Create(data, 0.4, 11);
        var speakers = holdout.Clusters!;
        var feedbackSpeakers = holdout.Feedback.ToIndices().Select(row => speakers[row]).ToHashSet();
        Assert.DoesNotContain(holdout.Confirmation.ToIndices(), row => feedbackSpeakers.Contains(speakers[row]));
        Assert.InRange(holdout.Feedback.Count() / (double)holdout.RowCount, 0.38, 0.42);

        var catalog = new ModelCatalog(data.Schema, null);
        var outcome = SubmissionScorer.Score(new ScoringRequest(new CompetitionSettings { Metric = Metric.Wer }, holdout,
            PointerDecisionList.ForEvaluationTable(holdout), Ledgers.Start(0.05), catalog, SubmissionHistory.Empty,
            new SubmissionInput("s1", GroupRef.FromExpression("accent == \"Scottish\" and noise == \"car\""), null, Metric.Wer)));

        Assert.True(outcome.Record.FindingVerified, string.Join("; ", outcome.Record.Finding!.Reasons));
        Assert.StartsWith("cluster-robust t (", outcome.Record.Finding!.Test);
        Assert.Equal(Metric.Wer, outcome.Record.Metric);
    }
    [Fact]
    public void Retest_OnARetrainedVersion_ClosesThePlantedGap_AndGivesTheSameNumbersAsScoringOnTheSameTable()
    {
        var data = PlantedBiasGenerator.Speech(40_000, seed: 5);
        var settings = new CompetitionSettings { Metric = Metric.Wer };
        var holdout = Holdout.Create(data, 0.4, 11);
        var group = GroupRef.FromExpression("accent == \"Scottish\" and noise == \"car\"");
        var catalog = new ModelCatalog(data.Schema, null);
        var scored = SubmissionScorer.Score(new ScoringRequest(settings, holdout, PointerDecisionList.ForEvaluationTable(holdout),
            Ledgers.Start(0.05), catalog, SubmissionHistory.Empty, new SubmissionInput("s1", group, null, Metric.Wer))).Record;
        var members = catalog.Evaluate(group, data);

        // On the same table the re-test is the verification again: same test, same released numbers.
        var (same, sameFeedback) = SubmissionScorer.Retest(settings, holdout, Metric.Wer, members, scored.Finding!.Level);
        Assert.Equal(scored.Finding.Difference, same.Difference, 12);
        Assert.True(same.Verified);
        Assert.Equal(scored.Feedback, sameFeedback);

        // The retrained system: the group's errors drawn at the rest's rate, so the gap is gone.
        var errors = ((NumericColumn)data["word_errors"]).Values.ToArray();
        var words = ((NumericColumn)data["reference_words"]).Values;
        var random = new Random(3);
        foreach (var row in members.ToIndices())
            errors[row] = Enumerable.Range(0, (int)words[row]).Count(_ => random.NextDouble() < 0.10);
        var retrained = new Dataset(data.Schema, data.Columns.Select(c => c.Name == "word_errors" ? NumericColumn.FromValues("word_errors", errors) : c).ToArray());
        var (after, afterFeedback) = SubmissionScorer.Retest(settings, Holdout.Create(retrained, 0.4, 11), Metric.Wer, members, scored.Finding.Level);

        Assert.False(after.Verified);
        Assert.True(after.Difference < scored.Finding.Difference - 0.05, $"{after.Difference} against {scored.Finding.Difference}");
        Assert.StartsWith("cluster-robust t (", after.Test);
        Assert.NotNull(afterFeedback);
    }
}
