using System.Diagnostics;
using System.Numerics;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Discovery;

/// <summary>Settings of <see cref="GroupSearch"/>.</summary>
public sealed record GroupSearchOptions
{
    /// <summary>Most conditions in one group (1 to 3).</summary>
    public int MaxConditions { get; init; } = 2;

    /// <summary>Numeric columns with more distinct values than this are cut at this many quantiles (deciles by default).</summary>
    public int Quantiles { get; init; } = 10;

    /// <summary>Text columns contribute at most this many values (the most frequent).</summary>
    public int MaxValuesPerColumn { get; init; } = 64;

    /// <summary>Fewest search-half rows a group (and its complement) must hold; 0 = max(30, 0.5 % of the search half).</summary>
    public int MinSupport { get; init; }

    /// <summary>
    /// Largest share of the rows a reported group may hold (default one half): a wider group's finding is really that
    /// its complement does better. Wider conjunctions are still counted as steps towards narrower ones.
    /// </summary>
    public double MaxShare { get; init; } = 0.5;

    /// <summary>Candidates tested on the confirmation half (the family of the multiplicity correction).</summary>
    public int Candidates { get; init; } = 20;

    /// <summary>Family-wise error rate of the confirmation (Holm).</summary>
    public double Alpha { get; init; } = 0.025;

    /// <summary>Seed of the random halving.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads for the search (default: one per core).</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// A group found by <see cref="GroupSearch"/>: its canonical expression, its numbers on the search half and on the
/// confirmation half (rows, errors, error rates inside and outside, gap, size-weighted gap μ(g)·(p_g − p_c)), the
/// one-sided test on the confirmation half and its Holm-adjusted p-value.
/// </summary>
public sealed record DiscoveredGroup(
    string Expression, int Conditions,
    int SearchRows, double SearchGroupRate, double SearchRestRate, double SearchScore,
    int ConfirmRows, int ConfirmErrors, double ConfirmShare, double GroupRate, double RestRate, double Gap, double WeightedGap,
    string Test, double PValue, double AdjustedPValue, bool Confirmed);

/// <summary>What a search did and found.</summary>
/// <param name="Confirmed">The groups that survived confirmation, best size-weighted gap first.</param>
/// <param name="Tested">Every candidate tested on the confirmation half (confirmed or not), in search order.</param>
public sealed record GroupSearchResult(
    IReadOnlyList<DiscoveredGroup> Confirmed, IReadOnlyList<DiscoveredGroup> Tested,
    int Rows, int SearchRows, int ConfirmRows, double ErrorRate, int MinSupport, int ConditionCount, long ConjunctionsCounted, long ConjunctionsPruned,
    TimeSpan SearchTime, TimeSpan Elapsed);

/// <summary>
/// Automatic search for groups on which a model errs more than elsewhere (issue 13, "Discovery"), with honest
/// statistics. The rows are split at random into a search half and a confirmation half. On the search half every
/// conjunction of up to <see cref="GroupSearchOptions.MaxConditions"/> conditions over different feature columns is
/// scored by its size-weighted error gap μ(g)·(p_g − p_c) — each text value (<c>==</c>), each numeric value of a column
/// with few values, numeric columns cut at quantiles (<c>&lt; q</c>, <c>&gt;= q</c>), <c>is missing</c> — counted as
/// bitset intersections, level by level, with SliceLine-style pruning: a conjunction is counted only when the bound
/// its parents give (at most min errors over min(rows) … see <see cref="Bound"/>) can beat the current list of best
/// scores, and it is kept only when its error rate is above each of its parents' (a condition that only shrinks a
/// group adds nothing). Of the best 1,000 (or 50 × the candidates) of each number of conditions, best first, a candidate is dropped when a better one explains
/// it (outside the better group less than half of its size-weighted gap remains) and is not merely a small group
/// that explains a wide one; the rest are then tested on the confirmation half with the platform's finding test (one-sided
/// pooled z, or Fisher's exact test for small counts) and Holm's step-down correction at
/// <see cref="GroupSearchOptions.Alpha"/>: the family-wise error rate is controlled under any dependence between the
/// overlapping groups, so on data without structure nothing is reported in 95 % of runs.
/// </summary>
public static class GroupSearch
{
    /// <summary>
    /// How many times larger a better group must be than a candidate that explains it too, for the candidate to be kept
    /// as the sharper description of the wider group's excess errors (otherwise the two are variants of one group).
    /// </summary>
    public const int WideGroupRatio = 2;

    /// <summary>Searches <paramref name="data"/>'s feature columns for groups where <paramref name="errors"/> is more frequent.</summary>
    /// <param name="data">Rows with their feature columns.</param>
    /// <param name="errors">The rows on which the model errs (0/1 loss).</param>
    /// <param name="options">Settings; defaults when null.</param>
    public static GroupSearchResult Run(Dataset data, RowSet errors, GroupSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(errors);
        options ??= new GroupSearchOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConditions, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxConditions, 3, nameof(options));
        if (errors.Length != data.RowCount) throw new ArgumentException("one loss per row is needed", nameof(errors));
        var total = Stopwatch.StartNew();

        // Halves: a seeded coin per row.
        var random = new Random(options.Seed);
        var searchRows = new List<int>(data.RowCount / 2 + 1);
        var confirmRows = new List<int>(data.RowCount / 2 + 1);
        for (var i = 0; i < data.RowCount; i++) (random.Next(2) == 0 ? searchRows : confirmRows).Add(i);
        var search = data.SelectRows(searchRows.ToArray());
        var confirm = data.SelectRows(confirmRows.ToArray());
        var searchErrors = Gather(errors, searchRows);
        var confirmErrors = Gather(errors, confirmRows);
        var minSupport = options.MinSupport > 0 ? options.MinSupport : Math.Max(30, (int)Math.Ceiling(0.005 * searchRows.Count));

        var conditions = Conditions(data, search, options, minSupport);
        var searcher = new Searcher(search.RowCount, searchErrors, conditions, minSupport, Math.Max(1_000, 50 * options.Candidates),
            (int)Math.Floor(options.MaxShare * search.RowCount), options.MaxDegreeOfParallelism);
        var clock = Stopwatch.StartNew();
        var ranked = searcher.Run(options.MaxConditions);
        var searchTime = clock.Elapsed;

        // Distinct candidates, best first: a candidate is dropped when a better one explains it — when, outside that
        // better group, less than half of its size-weighted gap remains — unless it explains the better one as well
        // and the better one is at least twice its size: then the better one is a wide group whose excess errors are mostly
        // this candidate's, and this sharper one is kept.
        var chosen = new List<(Scored Candidate, RowSet Rows)>();
        foreach (var candidate in ranked)
        {
            if (chosen.Count >= options.Candidates) break;
            var rows = And(candidate.Members.Select(m => conditions[m].Rows), search.RowCount);
            if (chosen.Any(c => Explains(c.Rows, rows, candidate.Score, searchErrors, minSupport)
                && (!Explains(rows, c.Rows, c.Candidate.Score, searchErrors, minSupport) || c.Candidate.N < WideGroupRatio * candidate.N))) continue;
            chosen.Add((candidate, rows));
        }

        // Confirmation: the platform's finding test on the other half, Holm-adjusted over every candidate tested.
        var totalErrors = confirmErrors.Count();
        var tested = new List<DiscoveredGroup>();
        foreach (var (candidate, _) in chosen)
        {
            var text = SubgroupExpression.Parse(string.Join(" and ", candidate.Members.Select(m => conditions[m].Text))).ToCanonicalString();
            var members = SubgroupExpression.Parse(text).Compile(confirm).Evaluate(confirm, 1);
            var nG = members.Count();
            var eG = members.IntersectionCount(confirmErrors);
            var (nC, eC) = (confirm.RowCount - nG, totalErrors - eG);
            string testName;
            TestResult result;
            if (nG == 0 || nC == 0)
            {
                (testName, result) = ("none (empty side)", new TestResult(0, 1));
            }
            else
            {
                var exact = Math.Min(Math.Min(eG, nG - eG), Math.Min(eC, nC - eC)) < 10;
                testName = exact ? "Fisher exact" : "pooled z";
                result = exact ? FisherExact.OneSidedGreater(eG, nG, eC, nC) : Proportions.PooledTwoProportionZ(eG, nG, eC, nC);
            }
            var pG = nG == 0 ? 0 : (double)eG / nG;
            var pC = nC == 0 ? 0 : (double)eC / nC;
            var share = (double)nG / Math.Max(1, confirm.RowCount);
            var n = candidate.N;
            var e = candidate.E;
            tested.Add(new DiscoveredGroup(text, candidate.Members.Length,
                n, (double)e / n, (double)(searcher.TotalErrors - e) / (search.RowCount - n), candidate.Score,
                nG, eG, share, pG, pC, pG - pC, share * (pG - pC), testName, result.PValue, 1, false));
        }
        var adjusted = Holm(tested.Select(t => t.PValue).ToArray());
        for (var i = 0; i < tested.Count; i++)
            tested[i] = tested[i] with { AdjustedPValue = adjusted[i], Confirmed = adjusted[i] <= options.Alpha && tested[i].Gap > 0 };
        var confirmed = tested.Where(t => t.Confirmed).OrderByDescending(t => t.WeightedGap).ToArray();
        return new GroupSearchResult(confirmed, tested, data.RowCount, search.RowCount, confirm.RowCount,
            (double)errors.Count() / Math.Max(1, data.RowCount), minSupport, conditions.Count, searcher.Counted, searcher.Pruned, searchTime, total.Elapsed);
    }

    /// <summary>
    /// Holm's step-down adjusted p-values: sorted ascending, p_(i)·(m − i + 1), made non-decreasing, capped at 1.
    /// Rejecting where the adjusted value is ≤ α controls the family-wise error rate at α under any dependence.
    /// </summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    /// <summary>
    /// The bound on μ(T)·(p_T − p_c) for any group T inside a group of <paramref name="n"/> rows and <paramref name="e"/>
    /// errors (or inside parents whose smallest counts these are), with at least <paramref name="minSupport"/> rows:
    /// μ(T)·(p_T − p_c) = (e_T − n_T·ē)/(N − n_T), and e_T ≤ e, e_T ≤ n_T, n_T ≥ minSupport, n_T ≤ n give
    /// (e − max(minSupport, e)·ē)/(N − n).
    /// </summary>
    internal static double Bound(int n, int e, int minSupport, int total, double overallRate)
    {
        if (n >= total) return double.PositiveInfinity;
        var numerator = e - Math.Max(minSupport, e) * overallRate;
        // A negative numerator is divided by the largest denominator a group of at least minSupport rows can have.
        return numerator >= 0 ? numerator / (total - n) : numerator / (total - minSupport);
    }

    /// <summary>
    /// Whether <paramref name="better"/> explains <paramref name="candidate"/>: on the rows outside it, the candidate's
    /// size-weighted gap is below half of its own.
    /// </summary>
    private static bool Explains(RowSet better, RowSet candidate, double score, RowSet errors, int minSupport)
    {
        var outside = better.Not();
        var rows = outside.Count();
        var rest = candidate.And(outside);
        var n = rest.Count();
        if (n < minSupport || rows - n < minSupport) return true;
        var rate = (double)outside.IntersectionCount(errors) / rows;
        return Score(n, rest.IntersectionCount(errors), rows, rate) < 0.5 * score;
    }

    /// <summary>The size-weighted gap μ(g)·(p_g − p_c) = (e − n·ē)/(N − n) of a group of n rows with e errors.</summary>
    internal static double Score(int n, int e, int total, double overallRate) => (e - n * overallRate) / (total - n);

    // ---- candidate conditions -------------------------------------------------------------------------------------

    internal sealed record Condition(int Column, string Text, RowSet Rows);

    private static List<Condition> Conditions(Dataset data, Dataset search, GroupSearchOptions options, int minSupport)
    {
        var result = new List<Condition>();
        var features = data.Schema.Features;
        for (var f = 0; f < features.Count; f++)
        {
            var column = data[features[f].Name];
            var name = CanonicalText.Column(column.Name);
            var texts = new List<string>();
            switch (column)
            {
                case CategoricalColumn text:
                {
                    var counts = new int[text.Categories.Count];
                    foreach (var code in text.Codes)
                        if (code >= 0) counts[code]++;
                    texts.AddRange(Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0).OrderByDescending(c => counts[c]).Take(options.MaxValuesPerColumn)
                        .Select(c => $"{name} == {CanonicalText.String(text.Categories[c])}"));
                    break;
                }
                case NumericColumn numeric:
                {
                    var present = numeric.Values.Where(v => !float.IsNaN(v));
                    var sample = numeric.Values.Length > 200_000
                        ? Enumerable.Range(0, 200_000).Select(i => numeric.Values[(int)((long)i * numeric.Values.Length / 200_000)]).Where(v => !float.IsNaN(v)).ToArray()
                        : present.ToArray();
                    Array.Sort(sample);
                    var distinct = sample.Distinct().Take(options.Quantiles + 1).ToArray();
                    if (distinct.Length <= options.Quantiles)
                    {
                        texts.AddRange(distinct.Select(v => $"{name} == {CanonicalText.Number(v)}"));
                    }
                    else
                    {
                        var cuts = Enumerable.Range(1, options.Quantiles - 1).Select(q => sample[(int)((long)q * sample.Length / options.Quantiles)])
                            .Where(q => q > sample[0]).Distinct().ToArray();
                        foreach (var q in cuts)
                        {
                            texts.Add($"{name} < {CanonicalText.Number(q)}");
                            texts.Add($"{name} >= {CanonicalText.Number(q)}");
                        }
                    }
                    break;
                }
            }
            if (column.MissingCount > 0) texts.Add($"{name} is missing");
            foreach (var text in texts)
            {
                var rows = SubgroupExpression.Parse(text).Compile(search).Evaluate(search, 1);
                var n = rows.Count();
                if (n >= minSupport && search.RowCount - n >= minSupport) result.Add(new Condition(f, text, rows));
            }
        }
        return result;
    }

    // ---- the search ---------------------------------------------------------------------------------------------

    internal sealed record Scored(int[] Members, int N, int E, double Score);

    private sealed class Searcher(int rows, RowSet errors, List<Condition> conditions, int minSupport, int keep, int maxRows, int threads)
    {
        private readonly ulong[] _errors = errors.Words.ToArray();
        private readonly double _rate = (double)errors.Count() / rows;
        private readonly object _gate = new();
        // One list of the best per number of conditions, so that the many variants with three conditions cannot push
        // every group with fewer out; each list's threshold is its keep-th best score (0 until full: only positive gaps count).
        private readonly PriorityQueue<Scored, double>[] _best = [new(), new(), new()];
        private readonly double[] _threshold = new double[3];
        private long _counted, _pruned;

        public int TotalErrors { get; } = errors.Count();

        public long Counted => _counted;

        public long Pruned => _pruned;

        public List<Scored> Run(int maxConditions)
        {
            var words = conditions.Select(c => c.Rows.Words.ToArray()).ToArray();
            var singles = new (int N, int E, double Score)[conditions.Count];
            for (var i = 0; i < conditions.Count; i++)
            {
                var (n, e) = Count(words[i], _errors);
                singles[i] = (n, e, Score(n, e, rows, _rate));
                Offer(new Scored([i], n, e, singles[i].Score));
            }
            _counted += conditions.Count;
            if (maxConditions == 1) return Ranked();

            // Level 2: every pair over different columns whose bound can still enter the list.
            var m = conditions.Count;
            var pairs = new (int N, int E, double Score)[m * m];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
            Parallel.For(0, m, parallel, () => (Counted: 0L, Pruned: 0L), (i, _, local) =>
            {
                for (var j = i + 1; j < m; j++)
                {
                    if (conditions[i].Column == conditions[j].Column) continue;
                    var bound = Bound(Math.Min(singles[i].N, singles[j].N), Math.Min(singles[i].E, singles[j].E), minSupport, rows, _rate);
                    if (bound <= Volatile.Read(ref _threshold[1]) && maxConditions == 2)
                    {
                        local.Pruned++;
                        continue;
                    }
                    var (n, e) = Count(words[i], words[j], _errors);
                    local.Counted++;
                    var score = n >= minSupport && rows - n >= minSupport ? Score(n, e, rows, _rate) : double.NegativeInfinity;
                    pairs[i * m + j] = (n, e, score);
                    if (Sharper(n, e, singles[i].N, singles[i].E) && Sharper(n, e, singles[j].N, singles[j].E)) Offer(new Scored([i, j], n, e, score));
                }
                return local;
            }, local => { Interlocked.Add(ref _counted, local.Counted); Interlocked.Add(ref _pruned, local.Pruned); });
            if (maxConditions == 2) return Ranked();

            // Level 3: extend each promising pair (i, j) by a later condition k of a third column; the bound uses all
            // three parent pairs, each of which must have enough rows.
            var work = new List<(int I, int J)>();
            for (var i = 0; i < m; i++)
                for (var j = i + 1; j < m; j++)
                    if (pairs[i * m + j].N >= minSupport && conditions[i].Column != conditions[j].Column) work.Add((i, j));
            // Most promising pairs first, so the threshold rises early.
            work.Sort((a, b) => Bound(pairs[b.I * m + b.J].N, pairs[b.I * m + b.J].E, minSupport, rows, _rate)
                .CompareTo(Bound(pairs[a.I * m + a.J].N, pairs[a.I * m + a.J].E, minSupport, rows, _rate)));
            var wordCount = _errors.Length;
            Parallel.For(0, work.Count, parallel, () => (Counted: 0L, Pruned: 0L, Buffer: new ulong[wordCount], Index: new int[wordCount]), (w, _, local) =>
            {
                var (i, j) = work[w];
                var pair = pairs[i * m + j];
                if (Bound(pair.N, pair.E, minSupport, rows, _rate) <= Volatile.Read(ref _threshold[2]))
                {
                    local.Pruned += m - j - 1;
                    return local;
                }
                var nonZero = -1;
                for (var k = j + 1; k < m; k++)
                {
                    var ck = conditions[k].Column;
                    if (ck == conditions[i].Column || ck == conditions[j].Column) continue;
                    var ik = pairs[i * m + k];
                    var jk = pairs[j * m + k];
                    if (ik.N < minSupport || jk.N < minSupport)
                    {
                        local.Pruned++;
                        continue;
                    }
                    var bound = Bound(Math.Min(pair.N, Math.Min(ik.N, jk.N)), Math.Min(pair.E, Math.Min(ik.E, jk.E)), minSupport, rows, _rate);
                    if (bound <= Volatile.Read(ref _threshold[2]))
                    {
                        local.Pruned++;
                        continue;
                    }
                    if (nonZero < 0) nonZero = Materialise(words[i], words[j], local.Buffer, local.Index);
                    var (n, e) = Count(local.Buffer, local.Index.AsSpan(0, nonZero), words[k], _errors);
                    local.Counted++;
                    if (n < minSupport || rows - n < minSupport) continue;
                    var score = Score(n, e, rows, _rate);
                    if (Sharper(n, e, pair.N, pair.E) && Sharper(n, e, ik.N, ik.E) && Sharper(n, e, jk.N, jk.E)) Offer(new Scored([i, j, k], n, e, score));
                }
                return local;
            }, local => { Interlocked.Add(ref _counted, local.Counted); Interlocked.Add(ref _pruned, local.Pruned); });
            return Ranked();
        }

        /// <summary>A conjunction is kept only when its error rate is above each parent's: a condition that only shrinks the group adds nothing.</summary>
        private static bool Sharper(int n, int e, int parentN, int parentE) => (long)e * parentN > (long)parentE * n;

        private void Offer(Scored candidate)
        {
            if (candidate.N > maxRows) return;
            var level = candidate.Members.Length - 1;
            if (!(candidate.Score > 0) || candidate.Score <= Volatile.Read(ref _threshold[level])) return;
            lock (_gate)
            {
                var best = _best[level];
                best.Enqueue(candidate, candidate.Score);
                if (best.Count > keep) best.Dequeue();
                if (best.Count == keep) Volatile.Write(ref _threshold[level], best.Peek().Score);
            }
        }

        private List<Scored> Ranked() =>
            _best.SelectMany(b => b.UnorderedItems).Select(x => x.Element).OrderByDescending(s => s.Score).ThenBy(s => s.Members.Length).ThenBy(s => string.Join(",", s.Members)).ToList();
    }

    private static (int N, int E) Count(ulong[] a, ulong[] errors)
    {
        int n = 0, e = 0;
        for (var w = 0; w < a.Length; w++)
        {
            n += BitOperations.PopCount(a[w]);
            e += BitOperations.PopCount(a[w] & errors[w]);
        }
        return (n, e);
    }

    private static (int N, int E) Count(ulong[] a, ulong[] b, ulong[] errors)
    {
        int n = 0, e = 0;
        for (var w = 0; w < a.Length; w++)
        {
            var x = a[w] & b[w];
            n += BitOperations.PopCount(x);
            e += BitOperations.PopCount(x & errors[w]);
        }
        return (n, e);
    }

    /// <summary>a AND b into <paramref name="buffer"/>, with the indices of its non-zero words; returns their number.</summary>
    private static int Materialise(ulong[] a, ulong[] b, ulong[] buffer, int[] index)
    {
        var count = 0;
        for (var w = 0; w < a.Length; w++)
        {
            var x = a[w] & b[w];
            buffer[w] = x;
            if (x != 0) index[count++] = w;
        }
        return count;
    }

    private static (int N, int E) Count(ulong[] pair, ReadOnlySpan<int> nonZero, ulong[] c, ulong[] errors)
    {
        int n = 0, e = 0;
        foreach (var w in nonZero)
        {
            var x = pair[w] & c[w];
            n += BitOperations.PopCount(x);
            e += BitOperations.PopCount(x & errors[w]);
        }
        return (n, e);
    }

    private static RowSet Gather(RowSet source, List<int> rows)
    {
        var result = new RowSet(rows.Count);
        for (var i = 0; i < rows.Count; i++)
            if (source.Contains(rows[i])) result.Add(i);
        return result;
    }

    private static RowSet And(IEnumerable<RowSet> sets, int length)
    {
        var result = RowSet.All(length);
        foreach (var s in sets) result.AndInPlace(s);
        return result;
    }

}
