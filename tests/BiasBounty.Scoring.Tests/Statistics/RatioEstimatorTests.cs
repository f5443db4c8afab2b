using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class RatioEstimatorTests
{
    // Group: word errors / reference words per utterance; R_g = 18 / 60 = 0.3.
    private static readonly double[] GroupE = [3, 0, 5, 2, 7, 1];
    private static readonly double[] GroupN = [10, 8, 12, 9, 15, 6];

    // Complement: R_c = 10 / 96.
    private static readonly double[] ComplementE = [1, 0, 2, 1, 0, 3, 1, 2];
    private static readonly double[] ComplementN = [11, 9, 14, 10, 7, 20, 12, 13];

    // By hand (checked with mpmath): Var(R) = Σ(E_i − R·N_i)² / (n − 1) / (n · N̄²).
    // Group: Σ residual² = 15.1, n = 6, N̄ = 10 → 15.1 / 5 / 600 = 0.00503333…
    // Complement: Σ residual² = 3.046875, n = 8, N̄ = 12 → 3.046875 / 7 / 1152 = 0.000377836…
    private const double ExpectedStandardError = 0.073560655345646238;
    private const double ExpectedZ = 2.6622021298362988;
    private const double ExpectedP = 0.0038815622629403178;

    [Fact]
    public void OneSidedGreater_MatchesHandComputation_FromSpansAndMask()
    {
        var (e, n, inGroup) = Interleave();

        var result = RatioEstimator.OneSidedGreater(e, n, inGroup);

        Assert.Equal(0.3, result.GroupRatio, 1e-15);
        Assert.Equal(10.0 / 96.0, result.ComplementRatio, 1e-15);
        Assert.Equal(ExpectedStandardError, result.StandardError, 1e-14);
        Assert.Equal(ExpectedZ, result.Statistic, 1e-12);
        Assert.Equal(ExpectedP, result.PValue, 1e-14);
    }

    [Fact]
    public void OneSidedGreater_MatchesHandComputation_FromOnePassSums()
    {
        var group = Accumulate(GroupE, GroupN);
        var complement = Accumulate(ComplementE, ComplementN);

        var result = RatioEstimator.OneSidedGreater(group, complement);

        Assert.Equal(ExpectedStandardError, result.StandardError, 1e-13);
        Assert.Equal(ExpectedZ, result.Statistic, 1e-11);
        Assert.Equal(ExpectedP, result.PValue, 1e-13);
    }

    [Fact]
    public void ConfidenceInterval_MatchesHandComputation()
    {
        var (e, n, inGroup) = Interleave();

        var interval = RatioEstimator.OneSidedGreater(e, n, inGroup).ConfidenceInterval();

        // (0.3 − 10/96) ± 1.959964 · SE, mpmath.
        Assert.Equal(0.051657098176702893, interval.Lower, 1e-12);
        Assert.Equal(0.34000956848996377, interval.Upper, 1e-12);
    }

    [Fact]
    public void OneSidedGreater_SumsAndSpansAgree_OnLargeRandomData()
    {
        var random = new Random(20240601);
        const int rows = 200_000;
        var e = new double[rows];
        var n = new double[rows];
        var inGroup = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            inGroup[i] = random.NextDouble() < 0.1;
            n[i] = random.Next(1, 40);
            var rate = inGroup[i] ? 0.14 : 0.12;
            for (var w = 0; w < n[i]; w++)
            {
                e[i] += random.NextDouble() < rate ? 1 : 0;
            }
        }

        RatioSums group = default, complement = default;
        for (var i = 0; i < rows; i++)
        {
            if (inGroup[i])
            {
                group = group.Add(e[i], n[i]);
            }
            else
            {
                complement = complement.Add(e[i], n[i]);
            }
        }

        var fromSpans = RatioEstimator.OneSidedGreater(e, n, inGroup);
        var fromSums = RatioEstimator.OneSidedGreater(group, complement);

        Assert.Equal(fromSpans.StandardError, fromSums.StandardError, 1e-12);
        Assert.Equal(fromSpans.Statistic, fromSums.Statistic, 1e-8);
        Assert.True(fromSpans.PValue < 1e-6, $"a 2 pp WER gap on 20,000 rows should be detected, p = {fromSpans.PValue}");
    }

    [Fact]
    public void OneSidedGreater_IsConservative_WhenEveryRowMatchesItsGroupRatioExactly()
    {
        var group = Accumulate([1, 2, 3], [2, 4, 6]);
        var complement = Accumulate([1, 2], [10, 20]);

        var result = RatioEstimator.OneSidedGreater(group, complement);

        Assert.Equal(0.0, result.Statistic);
        Assert.Equal(1.0, result.PValue);
    }

    [Fact]
    public void OneSidedGreater_IsConservative_FromSpans_WhenEveryRowMatchesItsGroupRatioExactly()
    {
        // R_c = 0.1 is not exact in binary, so the residuals are rounding noise rather than exact zeros.
        double[] e = [1, 1, 2, 2, 3, 0.7, 0.3];
        double[] n = [2, 10, 4, 20, 6, 7, 3];
        bool[] inGroup = [true, false, true, false, true, false, false];

        var result = RatioEstimator.OneSidedGreater(e, n, inGroup);

        Assert.Equal(0.5, result.GroupRatio);
        Assert.Equal(0.1, result.ComplementRatio, 1e-15);
        Assert.Equal(0.0, result.Statistic);
        Assert.Equal(1.0, result.PValue);
    }

    [Fact]
    public void OneSidedGreater_ReturnsNaN_WhenARowIsNaN()
    {
        var (e, n, inGroup) = Interleave();
        e[0] = double.NaN;

        Assert.True(double.IsNaN(RatioEstimator.OneSidedGreater(e, n, inGroup).PValue));
    }

    [Fact]
    public void OneSidedGreater_RejectsMismatchedLengths()
    {
        Assert.Throws<ArgumentException>("n", () => RatioEstimator.OneSidedGreater(new double[3], new double[2], new bool[3]));
        Assert.Throws<ArgumentException>("inGroup", () => RatioEstimator.OneSidedGreater(new double[3], new double[3], new bool[2]));
    }

    [Fact]
    public void OneSidedGreater_RejectsSidesWithFewerThanTwoRowsOrNoDenominator()
    {
        Assert.Equal("inGroup", Assert.Throws<ArgumentOutOfRangeException>(
            () => RatioEstimator.OneSidedGreater([1.0, 1.0, 1.0], [5.0, 5.0, 5.0], [true, false, false])).ParamName);
        Assert.Equal("group", Assert.Throws<ArgumentOutOfRangeException>(
            () => RatioEstimator.OneSidedGreater(Accumulate([0, 0], [0, 0]), Accumulate(ComplementE, ComplementN))).ParamName);
        Assert.Equal("complement", Assert.Throws<ArgumentOutOfRangeException>(
            () => RatioEstimator.OneSidedGreater(Accumulate(GroupE, GroupN), Accumulate([1], [4]))).ParamName);
    }

    private static RatioSums Accumulate(double[] e, double[] n)
    {
        var sums = default(RatioSums);
        for (var i = 0; i < e.Length; i++)
        {
            sums = sums.Add(e[i], n[i]);
        }

        return sums;
    }

    /// <summary>Mixes the two groups' rows in one array, as the holdout would, with a mask marking the group.</summary>
    private static (double[] E, double[] N, bool[] InGroup) Interleave()
    {
        var e = new List<double>();
        var n = new List<double>();
        var inGroup = new List<bool>();
        int g = 0, c = 0;
        while (g < GroupE.Length || c < ComplementE.Length)
        {
            if (c < ComplementE.Length)
            {
                e.Add(ComplementE[c]);
                n.Add(ComplementN[c++]);
                inGroup.Add(false);
            }

            if (g < GroupE.Length)
            {
                e.Add(GroupE[g]);
                n.Add(GroupN[g++]);
                inGroup.Add(true);
            }
        }

        return (e.ToArray(), n.ToArray(), inGroup.ToArray());
    }
}
