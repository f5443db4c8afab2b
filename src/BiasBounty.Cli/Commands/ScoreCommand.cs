using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty score</c>: scores one submission against a holdout with a fresh decision list (version 0 = the given
/// model) and prints the full internal record — what an organizer runs offline.
/// </summary>
public static class ScoreCommand
{
    public const string Usage =
        "bbounty score --holdout FILE [--label COL] [--positive VALUE] --model BASE.onnx --group \"EXPR\" [--fix FIX.onnx] [--metric error] [--seed N] [--json]\n" +
        "       bbounty score --holdout TABLE --metric wer|cer --group \"EXPR\" [--seed N] [--json]   (an evaluation table: no model)";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters =
        {
            new BandTextConverter<PValueBand>(b => b.ToDisplayText()),
            new BandTextConverter<EffectBand>(b => b.ToDisplayText()),
            new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower),
        },
    };

    public static int Run(CommandLine args, TextWriter output)
    {
        var holdoutPath = args.Required("holdout", "holdout.csv");
        var metricText = args.Optional("metric");
        var metric = metricText is null ? (Metric?)null : Metrics.Parse(metricText);
        // An evaluation table (wer, cer, lossColumn) carries its own per-row errors: there is no model to run.
        var tableOnly = metric is { } m && !m.Definition().ScoresPredictions;
        var modelPath = tableOnly ? args.Optional("model") : args.Required("model", "baseline.onnx");
        var groupText = args.Required("group", "\"SEX == 2 and AGEP >= 60\"");
        var fixPath = args.Optional("fix");
        var seed = args.Int("seed", new CompetitionSettings().SplitSeed, 0, int.MaxValue);
        var json = args.Flag("json");
        var data = DataFiles.Load(holdoutPath, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();
        if (tableOnly && (modelPath ?? fixPath) is not null)
            throw new UsageException($"--metric {metric!.Value.Name()} scores the errors already in the table: leave out --model and --fix");

        var chosen = metric ?? Metrics.DefaultFor(LabelDomain.Of(data).Task);
        var settings = new CompetitionSettings { Metric = chosen, SplitSeed = seed };
        var holdout = Holdout.Create(data, settings.FeedbackShare, settings.SplitSeed);
        if (tableOnly && chosen.Incompatibility(TaskKind.Regression, holdout.LossErrors is not null) is { } problem)
            throw new UsageException($"{problem}: give the table a sidecar schema with lossErrorsColumn and lossSizeColumn (bbounty wer writes one)");
        var group = GroupRef.FromExpression(SubgroupExpression.Compile(groupText, data).Canonical);
        using var catalog = new ModelCatalog(data.Schema, holdout.Label, new ModelLimits(settings.MaxModelBytes));
        var smoke = data.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, data.RowCount)).ToArray());
        var baseId = modelPath is null ? null : catalog.AddOnnx(ReadModel(modelPath), ModelRole.Predictor, smoke, ModelTrust.Trusted);
        var fixId = fixPath is null ? null : catalog.AddOnnx(ReadModel(fixPath), ModelRole.Predictor, smoke);

        var clock = Stopwatch.StartNew();
        var list = baseId is null ? PointerDecisionList.ForEvaluationTable(holdout) : PointerDecisionList.Create(baseId, holdout, catalog);
        var outcome = SubmissionScorer.Score(new ScoringRequest(settings, holdout, list, Ledgers.Start(settings.FdrAlpha), catalog,
            SubmissionHistory.Empty, new SubmissionInput("cli", group, fixId, chosen)));
        var engineMs = clock.Elapsed.TotalMilliseconds;

        if (json) output.WriteLine(JsonSerializer.Serialize(ScoreJson.From(outcome, list, engineMs), Json));
        else WriteText(output, outcome, list, holdout, engineMs);
        return 0;
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash.Length == 0 ? "(none)" : hash;

    internal static byte[] ReadModel(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new UsageException($"model file not found: {path}");

    private static void WriteText(TextWriter output, ScoringOutcome outcome, PointerDecisionList list, Holdout holdout, double engineMs)
    {
        var r = outcome.Record;
        output.WriteLine($"group       {r.Group}");
        output.WriteLine($"status      {r.Status.ToString().ToLowerInvariant()}{(r.RefusalReason is null ? "" : $": {r.RefusalReason}")}");
        output.WriteLine($"metric      {r.Metric.Name()}; model version {list.Current.Number}, overall loss on the holdout {OverallLoss(list, holdout, r.Metric):0.0000}");
        if (r.Finding is { } f)
        {
            output.WriteLine();
            output.WriteLine("claim 1 — the model underperforms on the group (confirmation part)");
            output.WriteLine($"  group       n_g = {f.GroupRows:N0}, errors {f.GroupLoss:N0}, p_g = {f.GroupRate:0.0000}");
            output.WriteLine($"  complement  n_c = {f.ComplementRows:N0}, errors {f.ComplementLoss:N0}, p_c = {f.ComplementRate:0.0000}");
            output.WriteLine($"  gap         {f.Difference * 100:0.00} pp (95 % CI {f.IntervalLower * 100:0.00} to {f.IntervalUpper * 100:0.00}), ratio {f.Ratio:0.00}");
            output.WriteLine($"  test        {f.Test}: statistic {f.Statistic:0.000}, p = {f.PValue:G4} at level {f.Level:G3}");
            output.WriteLine($"  verdict     {(f.Verified ? "VERIFIED" : "not verified: " + string.Join("; ", f.Reasons))}");
        }
        if (r.Fix is { } x)
        {
            output.WriteLine();
            output.WriteLine("claim 2 — the fix helps (confirmation part)");
            output.WriteLine($"  group rows  {x.GroupRows:N0}; b (model wrong, fix right) = {x.CurrentWrongFixRight:N0}, c (model right, fix wrong) = {x.CurrentRightFixWrong:N0}");
            output.WriteLine($"  gain        Δ_g = {x.Delta * 100:0.00} pp, μ(g) = {x.GroupShare:0.0000}, μ(g)·Δ_g = {x.OverallGain:0.00000}");
            output.WriteLine($"  test        {x.Test}: p = {x.PValue:G4} at level {x.Level:G3}");
            output.WriteLine($"  verdict     {(x.Verified ? $"ACCEPTED: model version {x.NewVersion}, {x.Repairs.Count} repairs" : "not accepted: " + string.Join("; ", x.Reasons))}");
        }
        output.WriteLine();
        output.WriteLine($"points      {r.Points:0.0}");
        output.WriteLine($"released    {outcome.Released.Summary}");
        if (r.Feedback is { } fb)
            output.WriteLine($"feedback    group ≈ {fb.GroupRows?.ToString("N0") ?? "< 15"} rows at {fb.GroupErrorPercent:0.0} % error; rest ≈ {fb.ComplementRows?.ToString("N0") ?? "< 15"} rows at {fb.ComplementErrorPercent:0.0} %" +
                (fb.FixGroupErrorPercent is { } p ? $"; fix on the group {p:0.0} %" : ""));
        output.WriteLine($"provenance  holdout {Short(r.Provenance.HoldoutHash)}, mask {Short(r.MaskHash)}, engine {r.Provenance.EngineVersion}, split seed {r.Provenance.SplitSeed}");
        output.WriteLine($"engine      {engineMs:0.0} ms after loading");
    }

    private static double OverallLoss(PointerDecisionList list, Holdout holdout, Metric metric) =>
        !metric.Definition().ScoresPredictions ? double.NaN
            : PointerDecisionList.MeanLoss(list.Current.HoldoutPredictions, metric.Eligible(holdout.Y).ToIndices(), holdout.Y, metric, 1f);
}

/// <summary>The JSON of <c>bbounty score --json</c>: one object, snake_case fields, documented in docs/cli.md.</summary>
public sealed record ScoreJson(
    string Status,
    string? RefusalReason,
    string Group,
    string Metric,
    string MaskHash,
    bool FindingVerified,
    bool? FixVerified,
    [property: JsonPropertyName("n_g")] int? NG,
    [property: JsonPropertyName("e_g")] double? EG,
    [property: JsonPropertyName("p_g")] double? PG,
    [property: JsonPropertyName("n_c")] int? NC,
    [property: JsonPropertyName("e_c")] double? EC,
    [property: JsonPropertyName("p_c")] double? PC,
    string? FindingTest,
    double? PFinding,
    double? FindingLevel,
    double? GapCiLower,
    double? GapCiUpper,
    IReadOnlyList<string>? FindingReasons,
    int? B,
    int? C,
    double? DeltaG,
    double? MuG,
    double? MuDelta,
    string? FixTest,
    double? PFix,
    double? FixLevel,
    IReadOnlyList<string>? FixReasons,
    int? NewVersion,
    IReadOnlyList<string>? Repairs,
    double Points,
    ReleasedView Released,
    Provenance Provenance,
    double EngineMs)
{
    public static ScoreJson From(ScoringOutcome outcome, PointerDecisionList list, double engineMs)
    {
        var r = outcome.Record;
        var f = r.Finding;
        var x = r.Fix;
        return new ScoreJson(
            r.Status.ToString().ToLowerInvariant(), r.RefusalReason, r.Group, r.Metric.Name(), r.MaskHash,
            r.FindingVerified, x?.Verified,
            f?.GroupRows, f?.GroupLoss, f?.GroupRate, f?.ComplementRows, f?.ComplementLoss, f?.ComplementRate,
            f?.Test, f?.PValue, f?.Level, f?.IntervalLower, f?.IntervalUpper, f?.Reasons,
            x?.CurrentWrongFixRight, x?.CurrentRightFixWrong, x?.Delta, x?.GroupShare, x?.OverallGain,
            x?.Test, x?.PValue, x?.Level, x?.Reasons, x?.NewVersion, x?.Repairs,
            r.Points, outcome.Released, r.Provenance, Math.Round(engineMs, 3));
    }
}

/// <summary>Writes a released band as the text participants see ("&lt; 0.001", "2–5 pp"); output only.</summary>
public sealed class BandTextConverter<TBand>(Func<TBand, string> text) : JsonConverter<TBand> where TBand : struct, Enum
{
    public override TBand Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("bands are written, not read");

    public override void Write(Utf8JsonWriter writer, TBand value, JsonSerializerOptions options) => writer.WriteStringValue(text(value));
}
