using System.Globalization;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Scoring.Simulation;

/// <summary>One submission an adversary chooses: a group expression and, for a fix, its model (null for a finding only).</summary>
public sealed record PlannedSubmission(string Expression, IRowPredictor? Fix);

/// <summary>
/// A participant who learns from what the platform releases. It sees only public things: the columns and their ranges,
/// the public base model, and the <see cref="ReleasedView"/> of each of its own submissions.
/// </summary>
public interface IAdversary
{
    /// <param name="publicModel">The competition's current model, as anyone can download it.</param>
    PlannedSubmission Next(IRowPredictor publicModel);

    void Observe(PlannedSubmission submission, ReleasedView released);
}

/// <summary>The adversaries of docs/scientific-validity.md, by the names <c>bbounty simulate --attack</c> takes.</summary>
public static class Adversaries
{
    public static readonly string[] Names = ["fishing", "boosting", "near-duplicate", "sybil"];

    public static IAdversary Create(string name, int seed) => name switch
    {
        "fishing" or "sybil" => new FishingAdversary(seed),
        "boosting" => new BoostingAdversary(seed),
        "near-duplicate" => new NearDuplicateAdversary(seed),
        _ => throw new ArgumentException($"unknown attack '{name}'; attacks are {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>How favourable a released view looks to an adversary hunting for a finding: the released feedback gap in
    /// percentage points, plus 5 for each effect band above the lowest (when an effect band is released at all).</summary>
    public static double FindingScore(ReleasedView view) =>
        (view.Feedback is { } f ? f.GroupErrorPercent - f.ComplementErrorPercent : 0) + 5 * (int)(view.FindingEffect ?? EffectBand.LessThan1pp);

    internal static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>Random groups of one or two conditions over the public columns, sized so most pass the size gate.</summary>
public sealed class RandomGroups(Random random)
{
    public string Condition() => random.Next(7) switch
    {
        0 => $"age {Comparison()} {25 + random.Next(56)}",
        1 => $"income {Comparison()} {25 + random.Next(71)}",
        2 => $"debt {Comparison()} {5 + random.Next(51)}",
        3 => $"tenure {Comparison()} {3 + random.Next(25)}",
        4 => $"region {(random.Next(2) == 0 ? "==" : "!=")} \"{SimulatedCompetition.Regions[random.Next(4)]}\"",
        5 => $"education {(random.Next(2) == 0 ? "==" : "!=")} \"{SimulatedCompetition.Educations[random.Next(3)]}\"",
        _ => $"RAC1P {(random.Next(2) == 0 ? "==" : "!=")} {1 + random.Next(5)}",
    };

    public string Group() => random.Next(3) == 0 ? Condition() : $"{Condition()} and {Condition()}";

    private string Comparison() => random.Next(2) == 0 ? "<" : ">=";
}

/// <summary>
/// Adaptive fishing: random groups; keep those whose released numbers show a higher error than the rest; submit their
/// intersections and unions next; repeat. The kept pool holds the best few, so the search climbs on what it is shown.
/// </summary>
public sealed class FishingAdversary(int seed) : IAdversary
{
    private const int PoolSize = 12;
    private const int MaxExpressionLength = 400;
    private readonly Random _random = new(seed);
    private readonly List<(string Expression, double Score)> _kept = [];
    private readonly HashSet<string> _tried = new(StringComparer.Ordinal);

    public PlannedSubmission Next(IRowPredictor publicModel)
    {
        var groups = new RandomGroups(_random);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            string candidate;
            if (_kept.Count >= 2 && _random.Next(2) == 0)
            {
                var a = _kept[_random.Next(_kept.Count)].Expression;
                var b = _kept[_random.Next(_kept.Count)].Expression;
                if (a == b || a.Length + b.Length > MaxExpressionLength) continue;
                candidate = _random.Next(2) == 0 ? $"({a}) and ({b})" : $"({a}) or ({b})";
            }
            else
            {
                candidate = groups.Group();
            }
            if (_tried.Add(candidate)) return new PlannedSubmission(candidate, null);
        }
        return new PlannedSubmission(groups.Group(), null);
    }

    public void Observe(PlannedSubmission submission, ReleasedView released)
    {
        if (released.Status != ScoreStatus.Scored || released.Feedback is null) return;
        var score = Adversaries.FindingScore(released);
        if (score <= 0) return;
        _kept.Add((submission.Expression, score));
        _kept.Sort((x, y) => y.Score.CompareTo(x.Score));
        if (_kept.Count > PoolSize) _kept.RemoveRange(PoolSize, _kept.Count - PoolSize);
    }
}

/// <summary>
/// The boosting attack on fixes (Blum and Hardt's "Ladder" attack, turned on certificates): random small perturbations of
/// the public model as fixes on one group — its answers flipped on a random half of the rows near its decision boundary —;
/// keep those whose released fix effect was favourable; submit their majority vote as the next fix; repeat. Each
/// submission excludes one more debt value (of 600) from the group, so it is never an exact duplicate (which would
/// only be answered from the first record).
/// </summary>
public sealed class BoostingAdversary(int seed) : IAdversary
{
    private const int PerturbationsPerRound = 40;
    private readonly Random _random = new(seed);
    private readonly List<BoundaryFlip> _favourable = [];
    private readonly List<double> _errors = [];
    private string _group = "";
    private int _inRound = PerturbationsPerRound + 1;
    private int _variant;

    public PlannedSubmission Next(IRowPredictor publicModel)
    {
        if (_inRound > PerturbationsPerRound) StartRound();
        var expression = $"{_group} and debt != {Adversaries.Number(++_variant % 600 * 0.1)}";
        if (_inRound++ == PerturbationsPerRound && _favourable.Count > 0)
            return new PlannedSubmission(expression, new MajorityVote(publicModel, _favourable.ToArray()));
        return new PlannedSubmission(expression, new BoundaryFlip(publicModel, _random.Next()));
    }

    public void Observe(PlannedSubmission submission, ReleasedView released)
    {
        if (released.FixVerified == true) _inRound = PerturbationsPerRound + 2; // the group is fixed: move on
        if (released.Status != ScoreStatus.Scored || submission.Fix is not BoundaryFlip flip || released.Feedback?.FixGroupErrorPercent is not { } error) return;
        // Favourable: a lower released error than the median perturbation on this group so far (Blum and Hardt keep the
        // better-than-average ones), or a released effect band above the lowest.
        var better = _errors.Count > 0 && error < Median(_errors);
        _errors.Add(error);
        if (better || released.FixEffect is > EffectBand.LessThan1pp) _favourable.Add(flip);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private void StartRound()
    {
        // A new round on the same group keeps what it learned; after an accepted fix, or when the group has no fresh
        // variants left, the attack moves to a new group.
        if (_group.Length == 0 || _inRound == PerturbationsPerRound + 2 || _variant >= 560)
        {
            _group = $"age >= {72 + _random.Next(12)}";
            _favourable.Clear();
            _errors.Clear();
            _variant = 0;
        }
        _inRound = 1;
    }
}

/// <summary>
/// The current public model with its answer flipped on a pseudo-random half of the rows within 8 units of the base
/// model's decision boundary (income − debt = 30); which rows is a hash of their feature values and the perturbation's seed, so it is a function
/// of the features, as a submitted model must be.
/// </summary>
public sealed class BoundaryFlip(IRowPredictor publicModel, int seed) : IRowPredictor
{
    public int Seed => seed;

    public float[] Predict(Dataset data, ReadOnlySpan<int> rows) => Vote(publicModel, data, rows, [this], margin: 0);

    /// <summary>
    /// The vote of several flips of the public model: a row's answer is flipped when more than half of them flip it, by
    /// <paramref name="margin"/> binomial standard deviations (half of one for the attack's vote: the public model is right on most
    /// rows, so only a clear majority is worth a flip). Computed from the flips' seeds, without running each one.
    /// </summary>
    public static float[] Vote(IRowPredictor publicModel, Dataset data, ReadOnlySpan<int> rows, IReadOnlyList<BoundaryFlip> flips, double margin)
    {
        var result = publicModel.Predict(data, rows);
        var (age, income, debt, tenure) = (Values(data, "age"), Values(data, "income"), Values(data, "debt"), Values(data, "tenure"));
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if (Math.Abs(income[row] - debt[row] - 30) >= 8) continue;
            var features = Mix(Mix(Mix(BitConverter.SingleToUInt32Bits(age[row])) ^ BitConverter.SingleToUInt32Bits(income[row]))
                               ^ ((ulong)BitConverter.SingleToUInt32Bits(debt[row]) << 32 | BitConverter.SingleToUInt32Bits(tenure[row])));
            var flipped = 0;
            foreach (var flip in flips) flipped += (int)(Mix(features ^ (ulong)flip.Seed) & 1);
            if (flipped > flips.Count / 2.0 + margin * Math.Sqrt(flips.Count)) result[i] = 1 - result[i];
        }
        return result;
    }

    /// <summary>SplitMix64's finaliser: a fixed, well-mixed hash (HashCode is randomised per process).</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static float[] Values(Dataset data, string column) =>
        data.TryGetColumn(column, out var c) && c is NumericColumn numeric ? numeric.Values : throw new ArgumentException($"no numeric column {column}", nameof(data));
}

/// <summary>The clear-majority vote of flips of the public model, as one fix.</summary>
public sealed class MajorityVote(IRowPredictor publicModel, IReadOnlyList<BoundaryFlip> flips) : IRowPredictor
{
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows) => BoundaryFlip.Vote(publicModel, data, rows, flips, margin: 0.5);
}

/// <summary>
/// Near-duplicate probing: the same group shifted by one threshold step at a time (<c>income &gt;= 30</c>, <c>&gt;= 30.5</c>, …)
/// to read the holdout through the differences in released numbers. After each sweep it estimates the error rate of every
/// window between two neighbouring thresholds from the differences of the released error counts and rows, submits the
/// union of the windows that looked clearly worse than the rest (alone, and crossed with its earlier picks), and sweeps
/// another column, with the steps shifted on every pass so each probe is a new group.
/// </summary>
public sealed class NearDuplicateAdversary(int seed) : IAdversary
{
    private static readonly (string Column, double From, double To, double Step)[] Sweeps =
        [("income", 25, 95, 0.7), ("debt", 5, 55, 0.5)];

    private readonly Random _random = new(seed);
    private readonly Queue<PlannedSubmission> _queue = new();
    private readonly List<(double Threshold, long Rows, long Errors)> _readings = [];
    private readonly List<string> _picks = [];
    private string _column = "";
    private int _sweep;

    public PlannedSubmission Next(IRowPredictor publicModel)
    {
        if (_queue.Count == 0) Plan();
        return _queue.Dequeue();
    }

    public void Observe(PlannedSubmission submission, ReleasedView released)
    {
        var expression = submission.Expression;
        if (!expression.StartsWith(_column + " >= ", StringComparison.Ordinal) || expression.Contains(" and ", StringComparison.Ordinal)) return;
        if (released.Feedback is not { GroupRows: { } rows, GroupErrors: { } errors }) return;
        _readings.Add((double.Parse(expression[(_column.Length + 4)..], CultureInfo.InvariantCulture), rows, errors));
    }

    private void Plan()
    {
        if (_readings.Count > 0) Exploit();
        _readings.Clear();
        var (column, from, to, step) = Sweeps[_sweep++ % Sweeps.Length];
        _column = column;
        var offset = _random.NextDouble() * step;
        for (var t = from + offset; t <= to; t += step)
            _queue.Enqueue(new PlannedSubmission($"{column} >= {Adversaries.Number(Math.Round(t, 1))}", null));
    }

    private void Exploit()
    {
        var windows = new List<(double From, double To, double Rate)>();
        for (var i = 0; i + 1 < _readings.Count; i++)
        {
            var (a, b) = (_readings[i], _readings[i + 1]);
            if (a.Rows - b.Rows > 0) windows.Add((a.Threshold, b.Threshold, (double)(a.Errors - b.Errors) / (a.Rows - b.Rows)));
        }
        if (windows.Count < 4) return;
        var mean = windows.Average(w => w.Rate);
        var deviation = Math.Sqrt(windows.Average(w => (w.Rate - mean) * (w.Rate - mean)));
        // At most 8 windows (16 conditions), so a union of two picks stays within the expression limit of 32 conditions.
        var worst = windows.Where(w => w.Rate > mean + deviation).OrderByDescending(w => w.Rate).Take(8).ToArray();
        if (worst.Length == 0) return;
        string Union(int count) => string.Join(" or ", worst.Take(count).Select(w => $"({_column} >= {Adversaries.Number(w.From)} and {_column} < {Adversaries.Number(w.To)})"));
        foreach (var count in new[] { 8, 6, 4, 3 }.Where(c => c <= worst.Length).DefaultIfEmpty(worst.Length))
            _queue.Enqueue(new PlannedSubmission(Union(count), null));
        foreach (var pick in _picks.TakeLast(3)) _queue.Enqueue(new PlannedSubmission($"({Union(Math.Min(8, worst.Length))}) or ({pick})", null));
        _picks.Add(Union(Math.Min(8, worst.Length)));
    }
}
