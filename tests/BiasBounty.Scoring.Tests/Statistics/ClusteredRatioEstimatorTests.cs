using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public sealed class ClusteredRatioEstimatorTests
{
    [Fact]
    public void SmallExample_MatchesTheFormulaWorkedByHand()
    {
        // Four speakers, two in the group. Group: E = 2+4 over N = 10+10 → 0.3; rest: E = 1+1 over N = 10+10 → 0.1.
        // u = (E_g − 0.3·N_g)/20 − (E_c − 0.1·N_c)/20 per speaker: −0.05, 0.05, 0, 0. Var = 4/3 · 0.005; SE = 0.08165.
        float[] e = [2, 4, 1, 1];
        float[] n = [10, 10, 10, 10];
        int[] speaker = [0, 1, 2, 3];
        var result = ClusteredRatioEstimator.OneSidedGreater(e, n, speaker, [0, 1, 2, 3], row => row < 2);
        Assert.Equal(0.3, result.GroupRatio, 12);
        Assert.Equal(0.1, result.ComplementRatio, 12);
        Assert.Equal(Math.Sqrt(4.0 / 3 * 0.005), result.StandardError, 12);
        Assert.Equal(4, result.Clusters);
        Assert.Equal(3, result.DegreesOfFreedom);
        Assert.Equal(0.2 / Math.Sqrt(4.0 / 3 * 0.005), result.Statistic, 9);
    }

    [Fact]
    public void SingletonClusters_AgreeWithThePerRowDeltaMethod()
    {
        var random = new Random(3);
        var rows = 4000;
        var e = new double[rows];
        var n = new double[rows];
        var inGroup = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            n[i] = random.Next(5, 20);
            inGroup[i] = i % 3 == 0;
            e[i] = Enumerable.Range(0, (int)n[i]).Count(_ => random.NextDouble() < (inGroup[i] ? 0.2 : 0.15));
        }
        var perRow = RatioEstimator.OneSidedGreater(e, n, inGroup);
        var clustered = ClusteredRatioEstimator.OneSidedGreater(e.Select(x => (float)x).ToArray(), n.Select(x => (float)x).ToArray(),
            Enumerable.Range(0, rows).ToArray(), Enumerable.Range(0, rows).ToArray(), row => inGroup[row]);
        Assert.Equal(perRow.Difference, clustered.Difference, 9);
        Assert.Equal(perRow.StandardError, clustered.StandardError, perRow.StandardError * 0.01);
    }

    [Fact]
    public void FewerThanTwoClusters_IsNoEvidence()
    {
        var result = ClusteredRatioEstimator.OneSidedGreater([5, 0], [10, 10], [0, 0], [0, 1], row => row == 0);
        Assert.Equal(1.0, result.PValue);
    }

    /// <summary>
    /// Speakers differ (each has their own error rate) and the group follows speakers (an accent spoken by half of
    /// them), with no difference between the accents. A per-utterance test treats each speaker's utterances as
    /// independent and verifies far too often; the cluster-robust test stays near its level.
    /// </summary>
    [Fact]
    public void GroupsThatFollowSpeakers_KeepTheFalseVerificationRateAtTheLevel()
    {
        const double level = 0.05;
        const int trials = 400;
        var random = new Random(20261202);
        var (clusteredFalse, perRowFalse) = (0, 0);
        for (var trial = 0; trial < trials; trial++)
        {
            var sample = Speakers(random, speakers: 40, utterances: 25, groupExtra: 0);
            if (ClusteredTest(sample).PValue <= level) clusteredFalse++;
            if (RatioEstimator.OneSidedGreater(sample.E.Select(x => (double)x).ToArray(), sample.N.Select(x => (double)x).ToArray(),
                    sample.InGroup).PValue <= level) perRowFalse++;
        }
        var clusteredRate = (double)clusteredFalse / trials;
        var perRowRate = (double)perRowFalse / trials;
        // Binomial(400, 0.05) has standard deviation 0.011: 0.085 is three of them above the level.
        Assert.True(clusteredRate <= 0.085, $"cluster-robust false verifications {clusteredRate:P1}");
        Assert.True(perRowRate >= 0.2, $"per-utterance false verifications {perRowRate:P1} (expected far above the level)");
    }

    [Fact]
    public void ARealGapBetweenSpeakerGroups_IsFound()
    {
        var random = new Random(11);
        var found = Enumerable.Range(0, 200).Count(_ => ClusteredTest(Speakers(random, speakers: 40, utterances: 25, groupExtra: 0.08)).PValue <= 0.05);
        Assert.True(found >= 160, $"power {found / 200.0:P0}");
    }

    private sealed record Sample(float[] E, float[] N, int[] Speaker, bool[] InGroup);

    private static Sample Speakers(Random random, int speakers, int utterances, double groupExtra)
    {
        var rows = speakers * utterances;
        var (e, n, speaker, inGroup) = (new float[rows], new float[rows], new int[rows], new bool[rows]);
        for (var k = 0; k < speakers; k++)
        {
            var accentA = k % 2 == 0;
            // A speaker's own error rate: 15 % on average, spread ±8 pp between speakers.
            var rate = Math.Clamp(0.15 + 0.08 * Gaussian(random) + (accentA ? groupExtra : 0), 0.01, 0.9);
            for (var u = 0; u < utterances; u++)
            {
                var row = k * utterances + u;
                n[row] = random.Next(8, 17);
                e[row] = Enumerable.Range(0, (int)n[row]).Count(_ => random.NextDouble() < rate);
                speaker[row] = k;
                inGroup[row] = accentA;
            }
        }
        return new Sample(e, n, speaker, inGroup);
    }

    private static ClusteredRatioResult ClusteredTest(Sample s) =>
        ClusteredRatioEstimator.OneSidedGreater(s.E, s.N, s.Speaker, Enumerable.Range(0, s.E.Length).ToArray(), row => s.InGroup[row]);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Totals_GiveTheSameTest_AsTheRowByRowEstimator()
    {
        var random = new Random(17);
        var sample = Speakers(random, speakers: 60, utterances: 30, groupExtra: 0.03);
        var rows = sample.E.Length;
        // The totals' rows: about two thirds of them (a confirmation part), a group that splits some speakers.
        var part = RowSet.FromPredicate(rows, i => i % 3 != 0);
        var group = RowSet.FromPredicate(rows, i => part.Contains(i) && (sample.InGroup[i] || i % 7 == 0));
        var totals = ClusteredRatioTotals.Of(sample.E, sample.N, sample.Speaker, part);

        // The group is taken within the totals' rows: the rows outside them (i % 3 == 0) in `members` must not count.
        var members = RowSet.FromPredicate(rows, i => group.Contains(i) || i % 3 == 0);
        var (fast, groupRows, groupE, restRows, restE) = totals.GroupAgainstRest(members, RowSet.All(rows));
        var reference = ClusteredRatioEstimator.OneSidedGreater(sample.E, sample.N, sample.Speaker, part.ToIndices(), group.Contains);

        Assert.Equal(reference.GroupRatio, fast.GroupRatio, 12);
        Assert.Equal(reference.ComplementRatio, fast.ComplementRatio, 12);
        Assert.Equal(reference.StandardError, fast.StandardError, 12);
        Assert.Equal(reference.PValue, fast.PValue, 10);
        Assert.Equal(reference.Clusters, fast.Clusters);
        Assert.Equal(group.Count(), groupRows);
        Assert.Equal(part.Count() - group.Count(), restRows);
        Assert.Equal(group.ToIndices().Sum(i => (double)sample.E[i]), groupE, 9);
        Assert.Equal(part.AndNot(group).ToIndices().Sum(i => (double)sample.E[i]), restE, 9);
        // The scratch space is clean after a test: the same group again gives the same answer.
        Assert.Equal(fast, totals.GroupAgainstRest(members, RowSet.All(rows)).Test);
        // Rows the eligible set leaves out are not in the group either.
        Assert.Equal(fast, totals.GroupAgainstRest(RowSet.All(rows), group).Test);
    }
}
