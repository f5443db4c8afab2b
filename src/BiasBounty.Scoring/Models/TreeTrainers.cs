using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>Settings of the tree trainers.</summary>
/// <param name="Trees">Boosting rounds (1 for <see cref="DecisionTreeTrainer"/>).</param>
/// <param name="MaxDepth">Split levels per tree, 1 to 6.</param>
/// <param name="LearningRate">Shrinkage of each boosted tree's leaf values.</param>
/// <param name="MinLeafRows">Fewest training rows in a leaf.</param>
/// <param name="L2">Ridge penalty on leaf values (boosting).</param>
/// <param name="MaxBins">Histogram bins per feature, at most 255 (one more holds missing values).</param>
public sealed record TreeOptions(int Trees = 20, int MaxDepth = 4, double LearningRate = 0.3, int MinLeafRows = 20, double L2 = 1.0, int MaxBins = 255)
{
    internal void Check()
    {
        if (Trees < 1) throw new ArgumentOutOfRangeException(nameof(Trees), Trees, "at least one tree");
        if (MaxDepth is < 1 or > 6) throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "depth 1 to 6");
        if (MaxBins is < 2 or > 255) throw new ArgumentOutOfRangeException(nameof(MaxBins), MaxBins, "2 to 255 bins");
        if (MinLeafRows < 1) throw new ArgumentOutOfRangeException(nameof(MinLeafRows), MinLeafRows, "at least one row per leaf");
    }
}

/// <summary>
/// Gradient-boosted trees on histogram splits (logistic loss for classification, squared loss for regression).
/// Deterministic. Small by design: enough for fix models and tests, not a competitor to LightGBM.
/// </summary>
public static class GradientBoostedTreesTrainer
{
    internal static int[] AllRows(Dataset data) => Enumerable.Range(0, data.RowCount).ToArray();

    /// <summary>Trains on every row of <paramref name="data"/> for the label's task.</summary>
    public static TreeEnsembleModel Train(Dataset data, LabelDomain label, TreeOptions? options = null) =>
        Train(data, label, AllRows(data), options);

    /// <summary>Trains on <paramref name="rows"/> of <paramref name="data"/> only (e.g. a fix trained on a group's rows).</summary>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty.</exception>
    public static TreeEnsembleModel Train(Dataset data, LabelDomain label, ReadOnlySpan<int> rows, TreeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(label);
        return Train(data, label.Encode(data), label.Task == TaskKind.Classification, rows, options);
    }

    /// <summary>
    /// Trains on <paramref name="rows"/> with explicit targets, one per row of <paramref name="data"/> (0/1 when
    /// <paramref name="classification"/>).
    /// </summary>
    public static TreeEnsembleModel Train(Dataset data, float[] target, bool classification, ReadOnlySpan<int> rows, TreeOptions? options = null)
    {
        options ??= new TreeOptions();
        options.Check();
        var set = TrainingSet.Create(data, target, rows, options.MaxBins);
        var n = set.Rows;
        var y = set.Target;
        var baseScore = classification
            ? (float)Math.Log(Math.Clamp(y.Average(), 1e-6, 1 - 1e-6) / (1 - Math.Clamp(y.Average(), 1e-6, 1 - 1e-6)))
            : (float)y.Average();
        var score = new float[n];
        Array.Fill(score, baseScore);
        var gradient = new double[n];
        var hessian = new double[n];
        var trees = new List<DecisionTree>();
        var builder = new HistogramTreeBuilder(set, options.MaxDepth, options.MinLeafRows, options.L2, options.LearningRate);
        for (var t = 0; t < options.Trees; t++)
        {
            for (var i = 0; i < n; i++)
            {
                if (classification)
                {
                    var p = LinearTraining.Sigmoid(score[i]);
                    gradient[i] = p - y[i];
                    hessian[i] = Math.Max(p * (1 - p), 1e-6);
                }
                else
                {
                    gradient[i] = score[i] - y[i];
                    hessian[i] = 1;
                }
            }
            var tree = builder.Build(gradient, hessian);
            trees.Add(tree);
            for (var i = 0; i < n; i++) score[i] += tree.Evaluate(set.Row(i));
        }
        return new TreeEnsembleModel(set.Coding, trees, baseScore,
            classification ? TreeEnsembleKind.BoostedClassifier : TreeEnsembleKind.Regressor);
    }
}

/// <summary>A single classification tree (variance/Gini splits on histograms); leaves hold the positive share.</summary>
public static class DecisionTreeTrainer
{
    private static int[] AllRows(Dataset data) => GradientBoostedTreesTrainer.AllRows(data);

    /// <summary>Trains on every row of <paramref name="data"/> to predict the label.</summary>
    public static TreeEnsembleModel Train(Dataset data, LabelDomain label, TreeOptions? options = null) =>
        Train(data, label, AllRows(data), options);

    /// <summary>Trains on <paramref name="rows"/> of <paramref name="data"/> only to predict the label.</summary>
    /// <exception cref="ArgumentException">The label is not a classification label, or <paramref name="rows"/> is empty.</exception>
    public static TreeEnsembleModel Train(Dataset data, LabelDomain label, ReadOnlySpan<int> rows, TreeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(label);
        if (label.Task != TaskKind.Classification) throw new ArgumentException("a classification tree needs a classification label", nameof(label));
        return Train(data, label.Encode(data), rows, options);
    }

    /// <summary>
    /// Trains on <paramref name="rows"/> with explicit 0/1 targets, one per row of <paramref name="data"/>: e.g. a
    /// group's membership, for a group model.
    /// </summary>
    public static TreeEnsembleModel Train(Dataset data, float[] target, ReadOnlySpan<int> rows, TreeOptions? options = null)
    {
        options = (options ?? new TreeOptions(MaxDepth: 6)) with { Trees = 1, LearningRate = 1, L2 = 0 };
        options.Check();
        var set = TrainingSet.Create(data, target, rows, options.MaxBins);
        var gradient = set.Target.Select(v => -v).ToArray();
        var hessian = Enumerable.Repeat(1.0, set.Rows).ToArray();
        var tree = new HistogramTreeBuilder(set, options.MaxDepth, options.MinLeafRows, 0, 1).Build(gradient, hessian);
        return new TreeEnsembleModel(set.Coding, [tree], 0f, TreeEnsembleKind.ProbabilityTree);
    }
}

/// <summary>The training rows encoded as floats and binned per feature.</summary>
internal sealed class TrainingSet
{
    public const byte MissingBin = 255;

    private TrainingSet(FeatureCoding coding, float[] x, double[] target, byte[][] bins, float[][] thresholds)
    {
        Coding = coding;
        X = x;
        Target = target;
        Bins = bins;
        Thresholds = thresholds;
    }

    public FeatureCoding Coding { get; }

    /// <summary>Row-major encoded rows.</summary>
    public float[] X { get; }

    public double[] Target { get; }

    /// <summary>Per feature, per row: the bin (values ≤ Thresholds[f][b] and above the previous threshold), or <see cref="MissingBin"/>.</summary>
    public byte[][] Bins { get; }

    /// <summary>Per feature: ascending split thresholds; bin b holds values in (t[b−1], t[b]], the last bin values above all.</summary>
    public float[][] Thresholds { get; }

    public int Rows => Target.Length;

    public ReadOnlySpan<float> Row(int i) => X.AsSpan(i * Coding.Width, Coding.Width);

    public static TrainingSet Create(Dataset data, float[] target, ReadOnlySpan<int> rows, int maxBins)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length != data.RowCount) throw new ArgumentException($"{target.Length} targets for {data.RowCount} rows", nameof(target));
        if (rows.Length == 0) throw new ArgumentException("cannot train on no rows", nameof(rows));
        var coding = FeatureCoding.Of(data);
        var x = coding.Encode(data, rows);
        var width = coding.Width;
        var bins = new byte[width][];
        var thresholds = new float[width][];
        var values = new List<float>(rows.Length);
        for (var f = 0; f < width; f++)
        {
            values.Clear();
            for (var i = 0; i < rows.Length; i++)
                if (!float.IsNaN(x[i * width + f])) values.Add(x[i * width + f]);
            values.Sort();
            thresholds[f] = ChooseThresholds(values, maxBins);
            var t = thresholds[f];
            var b = bins[f] = new byte[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                var v = x[i * width + f];
                if (float.IsNaN(v)) { b[i] = MissingBin; continue; }
                var index = Array.BinarySearch(t, v);
                b[i] = (byte)(index >= 0 ? index : ~index);
            }
        }
        var y = new double[rows.Length];
        for (var i = 0; i < y.Length; i++) y[i] = target[rows[i]];
        return new TrainingSet(coding, x, y, bins, thresholds);
    }

    /// <summary>Upper bounds of all bins but the last: every distinct value when few, otherwise quantiles.</summary>
    private static float[] ChooseThresholds(List<float> sorted, int maxBins)
    {
        var distinct = new List<float>();
        foreach (var v in sorted)
            if (distinct.Count == 0 || distinct[^1] != v) distinct.Add(v);
        if (distinct.Count <= maxBins) return distinct.Take(Math.Max(0, distinct.Count - 1)).ToArray();
        var chosen = new SortedSet<float>();
        for (var q = 1; q < maxBins; q++) chosen.Add(sorted[(int)((long)q * sorted.Count / maxBins)]);
        chosen.Remove(distinct[^1]);
        return chosen.ToArray();
    }
}

/// <summary>Grows one tree depth-first on gradient/hessian histograms (the XGBoost gain with L2 on leaf values).</summary>
internal sealed class HistogramTreeBuilder(TrainingSet set, int maxDepth, int minLeafRows, double l2, double shrinkage)
{
    private readonly List<TreeNode> _nodes = [];
    private double[] _g = [];
    private double[] _h = [];

    public DecisionTree Build(double[] gradient, double[] hessian)
    {
        _nodes.Clear();
        (_g, _h) = (gradient, hessian);
        var rows = Enumerable.Range(0, set.Rows).ToArray();
        Grow(rows, 0);
        return new DecisionTree(_nodes.ToArray());
    }

    private int Grow(Span<int> rows, int depth)
    {
        double g = 0, h = 0;
        foreach (var r in rows) { g += _g[r]; h += _h[r]; }
        var id = _nodes.Count;
        _nodes.Add(new TreeNode(0, 0, -1, -1, false, (float)(-g / (h + l2) * shrinkage)));
        if (depth >= maxDepth || rows.Length < 2 * minLeafRows) return id;
        var split = BestSplit(rows, g, h);
        if (split is not { } s) return id;

        // Partition in place: left rows first.
        var bins = set.Bins[s.Feature];
        var left = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var b = bins[rows[i]];
            if (b == TrainingSet.MissingBin ? s.MissingLeft : b <= s.Bin)
                (rows[left], rows[i]) = (rows[i], rows[left++]);
        }
        var leftId = Grow(rows[..left], depth + 1);
        var rightId = Grow(rows[left..], depth + 1);
        _nodes[id] = new TreeNode(s.Feature, set.Thresholds[s.Feature][s.Bin], leftId, rightId, s.MissingLeft, 0f);
        return id;
    }

    private readonly record struct Split(int Feature, int Bin, bool MissingLeft, double Gain);

    private Split? BestSplit(ReadOnlySpan<int> rows, double g, double h)
    {
        Split? best = null;
        var parent = g * g / (h + l2);
        for (var f = 0; f < set.Thresholds.Length; f++)
        {
            var thresholds = set.Thresholds[f];
            if (thresholds.Length == 0) continue;
            var binCount = thresholds.Length + 1;
            var hg = new double[binCount];
            var hh = new double[binCount];
            var hc = new int[binCount];
            double missingG = 0, missingH = 0;
            var missingCount = 0;
            var bins = set.Bins[f];
            foreach (var r in rows)
            {
                var b = bins[r];
                if (b == TrainingSet.MissingBin) { missingG += _g[r]; missingH += _h[r]; missingCount++; continue; }
                hg[b] += _g[r];
                hh[b] += _h[r];
                hc[b]++;
            }
            double lg = 0, lh = 0;
            var lc = 0;
            for (var b = 0; b < binCount - 1; b++)
            {
                lg += hg[b];
                lh += hh[b];
                lc += hc[b];
                // Missing values go to whichever side gains more; with none in training, to the larger side.
                for (var side = 0; side < 2; side++)
                {
                    var missingLeft = side == 0;
                    var (gl, hl, cl) = missingLeft ? (lg + missingG, lh + missingH, lc + missingCount) : (lg, lh, lc);
                    var (gr, hr, cr) = (g - gl, h - hl, rows.Length - cl);
                    if (cl < minLeafRows || cr < minLeafRows) continue;
                    var gain = gl * gl / (hl + l2) + gr * gr / (hr + l2) - parent;
                    if (missingCount == 0 && missingLeft != (cl >= cr)) continue;
                    if (gain > 1e-9 * Math.Max(1, Math.Abs(parent)) && (best is null || gain > best.Value.Gain))
                        best = new Split(f, b, missingLeft, gain);
                }
            }
        }
        return best;
    }
}
