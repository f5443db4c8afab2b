using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Engine;

/// <summary>
/// The hidden holdout D with its labels and its fixed split into a feedback part D_fb (the only source of released
/// numbers) and a confirmation part D_cf (where decisions are made). The split is stratified by label and
/// reproducible from the seed stored with the competition.
/// </summary>
public sealed class Holdout
{
    private Holdout(Dataset data, LabelDomain? label, float[] y, RowSet feedback, string contentHash, int seed,
        float[]? lossErrors, float[]? lossSizes, int[]? clusters)
    {
        Clusters = clusters;
        Data = data;
        Label = label;
        Y = y;
        Feedback = feedback;
        Confirmation = feedback.Not();
        ContentHash = contentHash;
        SplitSeed = seed;
        LossErrors = lossErrors;
        LossSizes = lossSizes;
    }

    public Dataset Data { get; }

    /// <summary>The label's domain; null for a loss-column dataset without a label.</summary>
    public LabelDomain? Label { get; }

    /// <summary>Per-row target (1/0 or value); all zero when there is no label.</summary>
    public float[] Y { get; }

    public RowSet Feedback { get; }

    public RowSet Confirmation { get; }

    /// <summary>SHA-256 of the holdout's content: provenance of every score, and the key of worker caches.</summary>
    public string ContentHash { get; }

    public int SplitSeed { get; }

    /// <summary>Per-row error counts E_i of a loss-column competition.</summary>
    public float[]? LossErrors { get; }

    /// <summary>Per-row sizes N_i of a loss-column competition.</summary>
    public float[]? LossSizes { get; }

    /// <summary>Per-row cluster ids (0, 1, …) from the schema's cluster column, e.g. the speaker; null when rows are independent.</summary>
    public int[]? Clusters { get; }

    public int RowCount => Data.RowCount;

    private ClusteredRatioTotals? _confirmationClusterTotals;
    private System.Runtime.CompilerServices.StrongBox<RatioSums>? _confirmationRatioSums;

    /// <summary>
    /// The sums of the loss columns (ΣE, ΣN and their squares) over <paramref name="rows"/>, read straight from the
    /// bitset (no index array); the loss columns must exist.
    /// </summary>
    public RatioSums LossSums(RowSet rows)
    {
        var (e, n) = (LossErrors!, LossSizes!);
        double sumE = 0, sumN = 0, sumEE = 0, sumNN = 0, sumEN = 0; // integer-valued counts: exact in double far beyond any table
        var count = 0;
        var words = rows.Words;
        for (var w = 0; w < words.Length; w++)
        {
            for (var word = words[w]; word != 0; word &= word - 1)
            {
                var row = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                double ei = e[row], ni = n[row];
                sumE += ei;
                sumN += ni;
                sumEE += ei * ei;
                sumNN += ni * ni;
                sumEN += ei * ni;
                count++;
            }
        }
        return new RatioSums(count, sumE, sumN, sumEE, sumNN, sumEN);
    }

    /// <summary>The sums of the loss columns over the confirmation part (computed on first use, boxed so concurrent
    /// readers never see a half-written struct); null without loss columns.</summary>
    public RatioSums? ConfirmationRatioSums =>
        LossErrors is null ? null
            : LazyInitializer.EnsureInitialized(ref _confirmationRatioSums, () => new(LossSums(Confirmation))).Value;

    /// <summary>
    /// Per-cluster error and size totals of the confirmation part, for cluster-robust findings on ratio metrics; null
    /// without clusters or loss columns. Computed on first use and kept with the holdout (a worker caches holdouts).
    /// </summary>
    public ClusteredRatioTotals? ConfirmationClusterTotals =>
        Clusters is null || LossErrors is null || LossSizes is null ? null
            : LazyInitializer.EnsureInitialized(ref _confirmationClusterTotals, () => ClusteredRatioTotals.Of(LossErrors, LossSizes, Clusters, Confirmation));

    /// <summary>
    /// Prepares a holdout: encodes the label (or reads the loss columns), checks the data, and splits it.
    /// </summary>
    /// <param name="contentHash">Hash of the uploaded file; when null, a hash of the loaded columns is used.</param>
    /// <exception cref="ScoringInputException">No usable label or loss columns, or negative losses.</exception>
    public static Holdout Create(Dataset data, double feedbackShare, int splitSeed, string? contentHash = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (feedbackShare is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(feedbackShare), "must lie strictly between 0 and 1");
        var schema = data.Schema;
        float[]? errors = null, sizes = null;
        if (schema.LossErrorsColumn is { } errorsColumn)
        {
            errors = NumericLossColumn(data, errorsColumn);
            sizes = NumericLossColumn(data, schema.LossSizeColumn
                ?? throw new ScoringInputException("a loss-column dataset needs both the errors column and the size column"));
            for (var i = 0; i < errors.Length; i++)
                if (errors[i] < 0 || sizes[i] <= 0)
                    throw new ScoringInputException($"loss columns must hold errors ≥ 0 and sizes > 0 (data row {i + 1} does not)");
        }
        LabelDomain? label = null;
        var y = new float[data.RowCount];
        if (schema.LabelColumn is not null)
        {
            label = LabelDomain.Of(data);
            y = label.Encode(data);
        }
        else if (errors is null)
        {
            throw new ScoringInputException("the holdout needs a label column (or, for a loss-column competition, its loss columns)");
        }
        var clusters = schema.ClusterColumn is { } clusterColumn ? ClusterIds(data, clusterColumn) : null;
        var strata = label?.Task == TaskKind.Classification ? y : new float[y.Length];
        // A cluster's rows stay together: a speaker heard in the feedback part must not also decide in the confirmation part.
        var feedback = clusters is null ? StratifiedSplit(strata, feedbackShare, splitSeed) : ClusterSplit(clusters, feedbackShare, splitSeed);
        return new Holdout(data, label, y, feedback, contentHash ?? HashColumns(data), splitSeed, errors, sizes, clusters);
    }

    /// <summary>
    /// Rows of the feedback part: within each label class, a seeded shuffle's first round(share · count) rows.
    /// </summary>
    public static RowSet StratifiedSplit(float[] strata, double share, int seed)
    {
        var feedback = new RowSet(strata.Length);
        var random = new Random(seed); // the seeded legacy algorithm is stable across .NET versions
        foreach (var group in Enumerable.Range(0, strata.Length).GroupBy(i => strata[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            var take = (int)Math.Round(share * rows.Length, MidpointRounding.AwayFromZero);
            foreach (var row in rows.AsSpan(0, take)) feedback.Add(row);
        }
        return feedback;
    }

    /// <summary>Rows of the feedback part: a seeded shuffle of the clusters, whole clusters taken until the share is reached.</summary>
    public static RowSet ClusterSplit(int[] clusters, double share, int seed)
    {
        var ids = clusters.Distinct().Order().ToArray();
        new Random(seed).Shuffle(ids);
        var sizes = new int[ids.Length == 0 ? 0 : ids.Max() + 1];
        foreach (var id in clusters) sizes[id]++;
        var chosen = new bool[sizes.Length];
        var target = share * clusters.Length;
        var taken = 0;
        foreach (var id in ids)
        {
            if (taken >= target) break;
            chosen[id] = true;
            taken += sizes[id];
        }
        return RowSet.FromPredicate(clusters.Length, i => chosen[clusters[i]]);
    }

    /// <summary>Per-row cluster ids (0, 1, …) of a column, text or numeric.</summary>
    /// <exception cref="ScoringInputException">The column is missing or has missing values.</exception>
    public static int[] ClusterIds(Dataset data, string name)
    {
        if (!data.TryGetColumn(name, out var column)) throw new ScoringInputException($"cluster column '{name}' is not in the data");
        if (column.MissingCount > 0) throw new ScoringInputException($"cluster column '{name}' has {column.MissingCount} missing values; every row needs its {name}");
        switch (column)
        {
            case CategoricalColumn categorical:
                return categorical.Codes.ToArray();
            case NumericColumn numeric:
                var ids = new Dictionary<float, int>();
                return numeric.Values.Select(v => ids.TryGetValue(v, out var id) ? id : ids[v] = ids.Count).ToArray();
            default:
                throw new ScoringInputException($"cluster column '{name}' has an unsupported kind");
        }
    }

    private static float[] NumericLossColumn(Dataset data, string name) =>
        data.TryGetColumn(name, out var column) switch
        {
            false => throw new ScoringInputException($"loss column '{name}' is not in the data"),
            true when column is not NumericColumn => throw new ScoringInputException($"loss column '{name}' must be numeric"),
            true when column.MissingCount > 0 => throw new ScoringInputException($"loss column '{name}' has {column.MissingCount} missing values"),
            _ => ((NumericColumn)column).Values,
        };

    private static string HashColumns(Dataset data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var column in data.Columns)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(column.Name + "\0"));
            switch (column)
            {
                case NumericColumn n: sha.AppendData(MemoryMarshal.AsBytes(n.Values.AsSpan())); break;
                case CategoricalColumn c:
                    sha.AppendData(MemoryMarshal.AsBytes(c.Codes.AsSpan()));
                    foreach (var category in c.Categories) sha.AppendData(System.Text.Encoding.UTF8.GetBytes(category + "\0"));
                    break;
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
