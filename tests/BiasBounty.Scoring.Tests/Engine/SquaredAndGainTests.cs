using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using FsCheck;
using FsCheck.Fluent;

namespace BiasBounty.Scoring.Tests.Engine;

public class SquaredAndGainTests
{
    /// <summary>A regression holdout: y = x outside the planted group x ≥ 8, y = x + 0.5 inside it, plus small noise.</summary>
    private static Dataset RegressionData(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows];
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            x[i] = (float)(10 * random.NextDouble());
            y[i] = x[i] + (x[i] >= 8 ? 0.5f : 0f) + (float)(0.1 * (random.NextDouble() - 0.5));
        }
        return new Dataset(
            new DatasetSchema([new ColumnSpec("x", ColumnKind.Numeric), new ColumnSpec("y", ColumnKind.Numeric, ColumnRole.Label)], LabelColumn: "y"),
            [NumericColumn.FromValues("x", x), NumericColumn.FromValues("y", y)]);
    }

    private sealed class Shifted(float shiftFrom, float shift) : IRowPredictor
    {
        public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
        {
            var x = ((NumericColumn)data["x"]).Values;
            var result = new float[rows.Length];
            for (var i = 0; i < rows.Length; i++) result[i] = x[rows[i]] + (x[rows[i]] >= shiftFrom ? shift : 0f);
            return result;
        }
    }

    [Fact]
    public void Score_SquaredMetric_VerifiesFindingWithWelchT_AndFixWithPairedT()
    {
        var data = RegressionData(10_000, 3);
        var settings = new CompetitionSettings { Metric = Metric.Squared };
        var holdout = Holdout.Create(data, settings.FeedbackShare, settings.SplitSeed);
        var catalog = new ModelCatalog(data.Schema, holdout.Label)
            .Add("identity", new Shifted(float.PositiveInfinity, 0))
            .Add("fix", new Shifted(8, 0.5f));

        var outcome = SubmissionScorer.Score(new ScoringRequest(settings, holdout, PointerDecisionList.Create("identity", holdout, catalog),
            Ledgers.Start(settings.FdrAlpha), catalog, SubmissionHistory.Empty,
            new SubmissionInput("s1", GroupRef.FromExpression("x >= 8"), "fix", Metric.Squared)));

        Assert.Equal("Welch t", outcome.Record.Finding!.Test);
        Assert.True(outcome.Record.FindingVerified, string.Join("; ", outcome.Record.Finding.Reasons));
        Assert.Equal("paired t", outcome.Record.Fix!.Test);
        Assert.True(outcome.Record.FixVerified, string.Join("; ", outcome.Record.Fix.Reasons));
        Assert.InRange(outcome.Record.Fix.Delta, 0.2, 0.3); // squared error 0.25 removed per row of the group
    }

    [Fact]
    public void Property_OverallGainOfAnUpdate_EqualsShareTimesGroupGain()
    {
        // For random data, random groups and random fixes: applying (g → h) lowers the mean loss over the eligible
        // confirmation rows by exactly μ(g)·Δ_g, because rows outside g keep their predictions.
        var fixture = new ScoringFixture(rows: 3_000, seed: 17);
        var holdout = fixture.Holdout;
        var property = Prop.ForAll(
            Arb.From(Gen.Choose(0, int.MaxValue)),
            seed =>
            {
                var random = new Random(seed);
                var metric = new[] { Metric.Error, Metric.Fpr, Metric.Fnr }[random.Next(3)];
                var members = RowSet.FromPredicate(holdout.RowCount, _ => random.NextDouble() < random.NextDouble());
                var fixPredictions = members.ToIndices().Select(_ => random.Next(2) == 0 ? 0f : 1f).ToArray();
                var current = fixture.Model.Current.HoldoutPredictions;
                var losses = LossCache.For(current, holdout, metric, 1f);
                var eligible = metric.Eligible(holdout.Y);
                var fix = SubmissionScorer.TestFix(fixture.Settings, holdout, metric, losses, members, eligible, "h",
                    members.ToIndices(), fixPredictions, 0.01);

                var updated = fixture.Model.ApplyUpdate(new GroupRef(null, "g"), members, "h", fixPredictions, null, holdout,
                    metric, double.PositiveInfinity, 1f, fixture.Catalog).List.Current.HoldoutPredictions;
                var rows = eligible.And(holdout.Confirmation).ToIndices();
                var gain = PointerDecisionList.MeanLoss(current, rows, holdout.Y, metric, 1f)
                    - PointerDecisionList.MeanLoss(updated, rows, holdout.Y, metric, 1f);
                return Math.Abs(gain - fix.OverallGain) < 1e-12;
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }
}
