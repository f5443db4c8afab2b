using System.Diagnostics;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Text;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty bench</c>: engine time for one submission with loading and the base model's cached predictions
/// excluded — finding_ms (compile and evaluate the mask, claim-1 statistics) and fix_ms (run the fix on the group's
/// rows, claim-2 statistics): medians and minimums over --repeat runs after one warm-up.
/// </summary>
public static class BenchCommand
{
    public const string Usage =
        "bbounty bench --data FILE [--label COL] [--positive VALUE] --model BASE.onnx --group \"EXPR\" [--fix FIX.onnx [--fix-in-process]] [--repeat N] [--json]\n" +
        "       bbounty bench --data TABLE --metric wer|cer --group \"EXPR\" [--repeat N] [--json]   (an evaluation table)\n" +
        "       bbounty bench --wer-pairs N [--repeat N]   (word-error alignment of N synthetic 12-word utterance pairs)\n" +
        "       bbounty bench --explore [--rows 1000000] [--max-conditions 2] [--seed S] [--no-bias] [--json]   (group search on synthetic rows × 10 columns)";

    public static int Run(CommandLine args, TextWriter output)
    {
        if (args.Optional("wer-pairs") is not null) return WordErrorBench(args, output);
        if (args.Flag("explore")) return ExploreCommand.Bench(args, output);
        var path = args.Required("data", "holdout.csv");
        var metric = args.Optional("metric") is { } metricText ? Metrics.Parse(metricText) : (Metric?)null;
        var tableOnly = metric is { } m && !m.Definition().ScoresPredictions;
        var modelPath = tableOnly ? null : args.Required("model", "baseline.onnx");
        var groupText = args.Required("group", "\"SEX == 2 and AGEP >= 60\"");
        var fixPath = args.Optional("fix");
        // A participant's fix runs in a model host, as in the platform; --fix-in-process measures it in this process instead.
        var fixTrust = args.Flag("fix-in-process") ? ModelTrust.Trusted : ModelTrust.Untrusted;
        var repeat = args.Int("repeat", 21, 1, 10_000);
        var json = args.Flag("json");
        var loadClock = Stopwatch.StartNew();
        var data = DataFiles.Load(path, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();

        var defaults = new CompetitionSettings();
        var holdout = Holdout.Create(data, defaults.FeedbackShare, defaults.SplitSeed);
        var settings = defaults with { Metric = metric ?? Metrics.DefaultFor(holdout.Label?.Task ?? TaskKind.Classification) };
        using var catalog = new ModelCatalog(data.Schema, holdout.Label);
        var baseId = modelPath is null ? null : catalog.AddOnnx(ScoreCommand.ReadModel(modelPath), ModelRole.Predictor, null, ModelTrust.Trusted);
        var fixBytes = fixPath is null || tableOnly ? null : ScoreCommand.ReadModel(fixPath);
        var smoke = data.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, data.RowCount)).ToArray());
        var fixClock = Stopwatch.StartNew();
        var fixId = fixBytes is null ? null : catalog.AddOnnx(fixBytes, ModelRole.Predictor, smoke, fixTrust);
        var fixLoadMs = fixBytes is null ? (double?)null : Math.Round(fixClock.Elapsed.TotalMilliseconds, 1);
        var list = baseId is null ? PointerDecisionList.ForEvaluationTable(holdout) : PointerDecisionList.Create(baseId, holdout, catalog);
        var losses = LossCache.For(list.Current.HoldoutPredictions, holdout, settings.Metric, settings.LossCap);
        var eligible = settings.Metric.Eligible(holdout.Y);
        var level = AlphaLevel(settings);
        var setupMs = loadClock.Elapsed.TotalMilliseconds;
        var probe = catalog.Evaluate(GroupRef.FromExpression(groupText), holdout.Data).And(eligible);
        if (probe.IntersectionCount(holdout.Confirmation) < 2 || eligible.AndNot(probe).IntersectionCount(holdout.Confirmation) < 2)
            throw new UsageException("the group (or the rest) has fewer than 2 rows in the holdout's confirmation part; nothing to benchmark");
        // Loading leaves hundreds of MB of parsed text behind; collect it so it does not tax the measured runs' GCs.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        var findingTimes = new List<double>();
        var fixTimes = new List<double>();
        var groupRows = 0;
        for (var run = 0; run <= repeat; run++) // run 0 warms up the JIT and is not counted
        {
            var clock = Stopwatch.StartNew();
            var members = catalog.Evaluate(GroupRef.FromExpression(groupText), holdout.Data);
            var finding = SubmissionScorer.TestFinding(settings, holdout, settings.Metric, losses, members, eligible, level);
            var findingMs = clock.Elapsed.TotalMilliseconds;
            groupRows = members.Count();
            GC.KeepAlive(finding);
            if (fixId is not null)
            {
                clock.Restart();
                var rows = members.ToIndices();
                var predictions = catalog.Predictor(fixId).Predict(holdout.Data, rows);
                var fix = SubmissionScorer.TestFix(settings, holdout, settings.Metric, losses, members, eligible, fixId, rows, predictions, level);
                var fixMs = clock.Elapsed.TotalMilliseconds;
                GC.KeepAlive(fix);
                if (run > 0) fixTimes.Add(fixMs);
            }
            if (run > 0) findingTimes.Add(findingMs);
        }

        var result = new BenchJson(data.RowCount, groupRows, repeat, Median(findingTimes), Math.Round(findingTimes.Min(), 3),
            fixTimes.Count > 0 ? Median(fixTimes) : null, fixTimes.Count > 0 ? Math.Round(fixTimes.Min(), 3) : null, Math.Round(setupMs, 1),
            Environment.ProcessorCount, fixLoadMs);
        if (json) output.WriteLine(JsonSerializer.Serialize(result, ScoreCommand.Json));
        else
        {
            output.WriteLine($"{data.RowCount:N0} rows, group {groupRows:N0} rows, {repeat} runs (setup {setupMs:0} ms, excluded)");
            output.WriteLine($"finding: median {result.FindingMs:0.000} ms, min {result.FindingMsMin:0.000} ms");
            if (result.FixMs is { } fixMedian)
                output.WriteLine($"fix:     median {fixMedian:0.000} ms, min {result.FixMsMin:0.000} ms " +
                    $"({(fixTrust == ModelTrust.Trusted ? "in this process" : "in a model host")}; loading and smoke test {fixLoadMs:0.0} ms, excluded)");
        }
        return 0;
    }

    /// <summary>
    /// Times <see cref="TranscriptErrors.Count"/> on N seeded synthetic pairs: 12 reference words from a 500-word
    /// vocabulary, a hypothesis with about 15 % of its words substituted, dropped or doubled.
    /// </summary>
    private static int WordErrorBench(CommandLine args, TextWriter output)
    {
        var pairs = args.Int("wer-pairs", 1_000_000, 1, 50_000_000);
        var repeat = args.Int("repeat", 3, 1, 100);
        args.RejectUnknown();
        var random = new Random(1);
        var vocabulary = Enumerable.Range(0, 500).Select(i => $"word{i}").ToArray();
        var references = new string[pairs];
        var hypotheses = new string[pairs];
        for (var i = 0; i < pairs; i++)
        {
            var words = Enumerable.Range(0, 12).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray();
            references[i] = string.Join(' ', words);
            hypotheses[i] = string.Join(' ', words.SelectMany(w => random.NextDouble() switch
            {
                < 0.05 => [vocabulary[random.Next(vocabulary.Length)]],
                < 0.10 => [],
                < 0.15 => new[] { w, w },
                _ => [w],
            }));
        }
        var times = new List<double>();
        long errors = 0;
        for (var run = 0; run <= repeat; run++) // run 0 warms up and is not counted
        {
            var clock = Stopwatch.StartNew();
            var counts = TranscriptErrors.Count(references, hypotheses, ErrorUnit.Word, TextNormalization.Default);
            if (run > 0) times.Add(clock.Elapsed.TotalMilliseconds);
            errors = counts.Sum(c => (long)c.Errors);
        }
        output.WriteLine($"{pairs:N0} utterance pairs of 12 words, {repeat} runs on {Environment.ProcessorCount} cores: median {Median(times):0} ms, min {times.Min():0} ms ({errors:N0} word errors)");
        return 0;
    }

    private static double AlphaLevel(CompetitionSettings settings) => BiasBounty.Scoring.Statistics.AlphaInvestingLedger.Start(settings.FdrAlpha).NextLevel;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return Math.Round(sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, 3);
    }
}

/// <summary>The JSON of <c>bbounty bench --json</c>.</summary>
public sealed record BenchJson(
    int Rows, int GroupRows, int Repeat, double FindingMs, double FindingMsMin, double? FixMs, double? FixMsMin, double SetupMs, int Cores,
    double? FixLoadMs = null);
