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
    PlannedSubmission Next();

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

    public PlannedSubmission Next()
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
/// the public model as fixes on one group; keep those whose released fix effect was favourable; submit their majority
/// vote as the next fix; repeat. Each submission excludes one distinct debt value from the group, so it is never an exact
/// duplicate (which would only be answered from the first record).
/// </summary>
public sealed class BoostingAdversary(int seed) : IAdversary
{
    private const int PerturbationsPerRound = 40;
    private readonly Random _random = new(seed);
    private readonly List<LinearRule> _favourable = [];
    private string _group = "";
    private int _inRound = PerturbationsPerRound + 1;
    private int _variant;

    public PlannedSubmission Next()
    {
        if (_inRound > PerturbationsPerRound) StartRound();
        var expression = $"{_group} and debt != {Adversaries.Number(++_variant % 600 * 0.1)} and tenure != {_variant / 600 % 31}";
        if (_inRound++ == PerturbationsPerRound)
            return new PlannedSubmission(expression, _favourable.Count == 0 ? Perturbation() : new MajorityVote(_favourable.ToArray()));
        return new PlannedSubmission(expression, Perturbation());
    }

    public void Observe(PlannedSubmission submission, ReleasedView released)
    {
        if (released.Status != ScoreStatus.Scored || submission.Fix is not LinearRule rule) return;
        var feedbackBetter = released.Feedback is { FixGroupErrorPercent: { } fix } f && fix < f.GroupErrorPercent;
        var effectBetter = released.FixEffect is { } band && band > EffectBand.LessThan1pp;
        if (feedbackBetter || effectBetter || released.FixVerified == true) _favourable.Add(rule);
    }

    private void StartRound()
    {
        // A new round on the same group keeps the favourable perturbations; now and then the attack moves to a new group.
        if (_group.Length == 0 || _random.Next(10) == 0)
        {
            _group = $"age >= {30 + _random.Next(30)}";
            _favourable.Clear();
        }
        _inRound = 1;
    }

    private LinearRule Perturbation()
    {
        var weights = (float[])SimulatedCompetition.BaseRule.Weights.Clone();
        weights[0] += (float)(0.02 * Gaussian());
        weights[1] += (float)(0.05 * Gaussian());
        weights[2] += (float)(0.05 * Gaussian());
        weights[3] += (float)(0.05 * Gaussian());
        return new LinearRule(weights, SimulatedCompetition.BaseRule.Bias + (float)(1.5 * Gaussian()));
    }

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}

/// <summary>Predicts the majority of its rules' votes (ties go to the public model's answer).</summary>
public sealed class MajorityVote(IReadOnlyList<LinearRule> rules) : IRowPredictor
{
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var votes = new int[rows.Length];
        foreach (var rule in rules)
        {
            var p = rule.Predict(data, rows);
            for (var i = 0; i < p.Length; i++) votes[i] += p[i] == 1f ? 1 : -1;
        }
        var tie = SimulatedCompetition.BaseRule.Predict(data, rows);
        var result = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++) result[i] = votes[i] > 0 ? 1f : votes[i] < 0 ? 0f : tie[i];
        return result;
    }
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

    public PlannedSubmission Next()
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
