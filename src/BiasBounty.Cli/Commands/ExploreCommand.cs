using System.Diagnostics;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Discovery;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty explore</c>: searches a data file (a participant's public data) for groups on which a model errs more
/// than on the rest, confirms them on a held-back half, and prints the survivors as expressions ready to submit —
/// each labelled "not tested on the holdout". Also <c>bbounty bench --explore</c> (see <see cref="Bench"/>).
/// </summary>
public static class ExploreCommand
{
    public const string Usage =
        "bbounty explore --data FILE [--label COL] [--positive VALUE] --model MODEL.onnx [--max-conditions 3] [--candidates 20] [--alpha 0.025] [--seed N] [--json]";

    /// <summary>What every reported group carries: it was confirmed on half of this file, never on the holdout.</summary>
    public const string NotTested = "not tested on the holdout";

    public static int Run(CommandLine args, TextWriter output)
    {
        var path = args.Required("data", "train.csv");
        var modelPath = args.Required("model", "model.onnx");
        var maxConditions = args.Int("max-conditions", 3, 1, 3);
        var candidates = args.Int("candidates", 20, 1, 200);
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var alphaText = args.Optional("alpha") ?? "0.025";
        var json = args.Flag("json");
        var data = DataFiles.Load(path, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();
        if (!double.TryParse(alphaText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var alpha) || alpha is <= 0 or >= 1)
            throw new UsageException($"--alpha must be a number between 0 and 1, not '{alphaText}'");
        var label = LabelDomain.Of(data);
        if (label.Task != TaskKind.Classification)
            throw new UsageException("explore searches for groups with a higher error rate; the label of this file is a number (regression)");

        var clock = Stopwatch.StartNew();
        using var catalog = new ModelCatalog(data.Schema, label);
        var smoke = data.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, data.RowCount)).ToArray());
        var modelId = catalog.AddOnnx(ScoreCommand.ReadModel(modelPath), ModelRole.Predictor, smoke, ModelTrust.Trusted);
        var predictions = catalog.Predictor(modelId).PredictAll(data);
        var y = label.Encode(data);
        var errors = RowSet.FromPredicate(data.RowCount, i => !(predictions[i] == y[i]));
        var predictMs = clock.Elapsed.TotalMilliseconds;

        var result = GroupSearch.Run(data, errors, new GroupSearchOptions { MaxConditions = maxConditions, Candidates = candidates, Alpha = alpha, Seed = seed });
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                Note = NotTested,
                result.Rows, result.SearchRows, result.ConfirmRows, result.ErrorRate, result.MinSupport, MaxConditions = maxConditions,
                Correction = "holm", Alpha = alpha, result.ConditionCount, result.ConjunctionsCounted, result.ConjunctionsPruned,
                PredictMs = predictMs, SearchMs = result.SearchTime.TotalMilliseconds, TotalMs = result.Elapsed.TotalMilliseconds,
                Groups = result.Confirmed.Select(g => Describe(g)),
                Tested = result.Tested.Select(g => Describe(g)),
            }, ScoreCommand.Json));
            return 0;
        }
        output.WriteLine($"model error {result.ErrorRate:P1} on {result.Rows:N0} rows of {Path.GetFileName(path)}; searched {result.SearchRows:N0} rows, confirming on the other {result.ConfirmRows:N0}");
        output.WriteLine($"{result.ConditionCount} conditions, {result.ConjunctionsCounted:N0} conjunctions of up to {maxConditions} counted " +
            $"({result.ConjunctionsPruned:N0} pruned by their bound), groups of at least {result.MinSupport:N0} rows, in {result.Elapsed.TotalSeconds:0.00} s");
        output.WriteLine($"{result.Tested.Count} candidates tested on the confirmation half, Holm-corrected at {alpha:0.###} (family-wise): {result.Confirmed.Count} confirmed");
        if (result.Confirmed.Count == 0)
        {
            output.WriteLine("no group confirmed: nothing to report");
            return 0;
        }
        output.WriteLine();
        for (var i = 0; i < result.Confirmed.Count; i++)
        {
            var g = result.Confirmed[i];
            output.WriteLine($"{i + 1}. {g.Expression}");
            output.WriteLine($"   {g.ConfirmRows:N0} rows ({g.ConfirmShare:P1}); error {g.GroupRate:P1} vs {g.RestRate:P1} for the rest: gap {100 * g.Gap:+0.0;-0.0} pp, " +
                $"size-weighted {100 * g.WeightedGap:0.00} pp; {g.Test} p {P(g.PValue)}, Holm-adjusted {P(g.AdjustedPValue)}; {NotTested}");
        }
        return 0;
    }

    /// <summary>A p-value for the text output; one below double precision's smallest is shown as a bound.</summary>
    private static string P(double p) => p < 1e-300 ? "< 1e-300" : p.ToString("0.##e+0", System.Globalization.CultureInfo.InvariantCulture);

    private static object Describe(DiscoveredGroup g) => new
    {
        g.Expression, g.Conditions, g.Confirmed, Note = NotTested,
        Rows = g.ConfirmRows, Errors = g.ConfirmErrors, Share = g.ConfirmShare, g.GroupRate, g.RestRate, g.Gap, g.WeightedGap,
        g.Test, g.PValue, g.AdjustedPValue,
        Search = new { Rows = g.SearchRows, GroupRate = g.SearchGroupRate, RestRate = g.SearchRestRate, Score = g.SearchScore },
    };

    /// <summary>
    /// <c>bbounty bench --explore --rows N [--max-conditions 2] [--seed S] [--no-bias]</c>: the search on N synthetic rows × 10 feature
    /// columns (the tabular generator's eight plus a numeric and a text column of noise), errors of its known base rule
    /// (with <c>--no-bias</c> labels are coin flips: nothing to find, and the bounds prune least);
    /// prints the search's time (data generation excluded) and the process's peak memory (VmHWM).
    /// </summary>
    public static int Bench(CommandLine args, TextWriter output)
    {
        var rows = args.Int("rows", 1_000_000, 1_000, 50_000_000);
        var maxConditions = args.Int("max-conditions", 2, 1, 3);
        var seed = args.Int("seed", 11, 0, int.MaxValue);
        var json = args.Flag("json");
        var noBias = args.Flag("no-bias");
        args.RejectUnknown();
        var synthetic = PlantedBiasGenerator.Tabular(rows, seed, plantedEffect: !noBias);
        var random = new Random(seed + 1);
        var noise = new float[rows];
        var channel = new string?[rows];
        string[] channels = ["branch", "broker", "online", "phone", "post", "referral"];
        for (var i = 0; i < rows; i++)
        {
            noise[i] = MathF.Round((float)(random.NextDouble() * 1000), 1);
            channel[i] = channels[random.Next(channels.Length)];
        }
        var baseData = synthetic.Data;
        var columns = baseData.Columns.Append(NumericColumn.FromValues("score", noise)).Append(CategoricalColumn.FromValues("channel", channel)).ToArray();
        var schema = baseData.Schema with { Columns = [.. baseData.Schema.Columns, new ColumnSpec("score", ColumnKind.Numeric), new ColumnSpec("channel", ColumnKind.Categorical)] };
        var data = new Dataset(schema, columns);
        var all = Enumerable.Range(0, rows).ToArray();
        var predictions = synthetic.BaseModel.Predict(baseData, all); // the rule reads the generator's eight features
        var y = LabelDomain.Of(data).Encode(data);
        var errors = RowSet.FromPredicate(rows, i => predictions[i] != y[i]);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        var clock = Stopwatch.StartNew();
        var result = GroupSearch.Run(data, errors, new GroupSearchOptions { MaxConditions = maxConditions });
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = PeakMemoryBytes();
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                Rows = rows, Features = data.Schema.Features.Count, MaxConditions = maxConditions, Seconds = seconds,
                SearchSeconds = result.SearchTime.TotalSeconds, PeakMemoryMb = peak / 1048576.0, result.ConditionCount,
                result.ConjunctionsCounted, result.ConjunctionsPruned, Confirmed = result.Confirmed.Count, Cores = Environment.ProcessorCount,
            }, ScoreCommand.Json));
            return 0;
        }
        output.WriteLine($"explore: {rows:N0} rows × {data.Schema.Features.Count} feature columns{(noBias ? " (no planted groups)" : "")}, up to {maxConditions} conditions, {Environment.ProcessorCount} cores");
        output.WriteLine($"total {seconds:0.00} s (search {result.SearchTime.TotalSeconds:0.00} s: {result.ConditionCount} conditions, " +
            $"{result.ConjunctionsCounted:N0} conjunctions counted, {result.ConjunctionsPruned:N0} pruned); peak memory {peak / 1048576.0:N0} MB (VmHWM); " +
            $"{result.Confirmed.Count} groups confirmed");
        foreach (var g in result.Confirmed.Take(5)) output.WriteLine($"  {g.Expression}  (gap {100 * g.Gap:+0.0} pp, {g.ConfirmRows:N0} rows)");
        return 0;
    }

    /// <summary>Peak resident memory of this process: VmHWM from /proc on Linux, else the peak working set.</summary>
    internal static long PeakMemoryBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
