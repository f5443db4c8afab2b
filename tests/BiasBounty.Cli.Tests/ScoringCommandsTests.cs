using System.Text.Json;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Cli.Tests;

/// <summary>train-baseline, split, synth, score and bench on real and synthetic files, end to end in process.</summary>
public class ScoringCommandsTests
{
    private const string Married = "marital-status == \"Married-civ-spouse\"";

    private static readonly Lazy<(string Baseline, string TreesFix)> AdultModels = new(() =>
    {
        var baseline = CliRunner.TempFile("baseline.onnx");
        var fix = CliRunner.TempFile("fix.onnx");
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", CliRunner.DemoData("adult.data.gz"), "--out", baseline).ExitCode);
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", CliRunner.DemoData("adult.data.gz"), "--group", Married, "--kind", "trees", "--out", fix).ExitCode);
        return (baseline, fix);
    });

    [Fact]
    public void TrainBaseline_WritesAnOnnxModel_AndReportsTrainingError()
    {
        var path = CliRunner.TempFile("model.onnx");

        var (code, output, _) = CliRunner.Run("train-baseline", "--data", CliRunner.DemoData("acs-income-2018-WY.csv.gz"), "--inputs", "tensor", "--out", path);

        Assert.Equal(0, code);
        Assert.Matches(@"trained logistic regression on 3,064 rows; training error \d+\.\d\d %", output);
        Assert.Contains("inputs: float tensor [N, F]", output);
        Assert.True(new FileInfo(path).Length > 100);
    }

    [Fact]
    public void ScoreJson_OnAdult_VerifiesTheFinding_AndAcceptsTheTreesFix()
    {
        var (baseline, fix) = AdultModels.Value;

        var (code, output, error) = CliRunner.Run("score", "--holdout", CliRunner.DemoData("adult.test.gz"), "--model", baseline,
            "--group", Married, "--fix", fix, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("finding_verified").GetBoolean());
        Assert.True(root.GetProperty("fix_verified").GetBoolean());
        foreach (var field in new[] { "n_g", "p_g", "p_c", "p_finding", "b", "c", "p_fix", "mu_delta", "points", "engine_ms" })
            Assert.Equal(JsonValueKind.Number, root.GetProperty(field).ValueKind);
        var (nG, b, c) = (root.GetProperty("n_g").GetInt32(), root.GetProperty("b").GetInt32(), root.GetProperty("c").GetInt32());
        Assert.Equal((double)(b - c) / nG, root.GetProperty("delta_g").GetDouble(), 12);
        Assert.Equal(Math.Round(10_000 * root.GetProperty("mu_delta").GetDouble(), 1, MidpointRounding.AwayFromZero), root.GetProperty("points").GetDouble());
        Assert.Equal("< 0.001", root.GetProperty("released").GetProperty("finding_p_band").GetString());
        Assert.Equal(1, root.GetProperty("new_version").GetInt32());
    }

    [Fact]
    public void Score_Text_ShowsBothClaimsAndTheReleasedView()
    {
        var (baseline, _) = AdultModels.Value;

        var (code, output, _) = CliRunner.Run("score", "--holdout", CliRunner.DemoData("adult.test.gz"), "--model", baseline, "--group", "race == \"Black\"");

        Assert.Equal(0, code);
        Assert.Contains("claim 1 — the model underperforms on the group", output);
        Assert.DoesNotContain("claim 2", output);
        Assert.Contains("released    ", output);
        Assert.Matches(@"engine      \d+\.\d ms after loading", output);
    }

    [Fact]
    public void Score_RefusesCorruptModel_WithExitCode2()
    {
        var corrupt = CliRunner.TempFile("corrupt.onnx");
        File.WriteAllBytes(corrupt, "this is not a model"u8.ToArray());

        var (code, _, error) = CliRunner.Run("score", "--holdout", CliRunner.DemoData("adult.test.gz"), "--model", corrupt, "--group", Married);

        Assert.Equal(2, code);
        Assert.StartsWith("bbounty: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Score_RefusesAMemoryBombFix_WithExitCode2_AndOneLine()
    {
        var (baseline, _) = AdultModels.Value;
        var bomb = CliRunner.TempFile("bomb.onnx");
        File.WriteAllBytes(bomb, TileBomb());

        var (code, output, error) = CliRunner.Run("score", "--holdout", CliRunner.DemoData("adult.test.gz"), "--model", baseline, "--group", Married, "--fix", bomb);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal(
            "bbounty: the model would need at least 610.4 MB for the 16-row smoke test (Tile output of [16, 10,000,000] floats); the limit is 256 MB",
            error.TrimEnd());
    }

    /// <summary>A fix reading the age column [N, 1] that tiles it to [N, 10,000,000] floats before predicting 0.</summary>
    private static byte[] TileBomb()
    {
        var g = new OnnxGraphBuilder();
        g.Input("age", OnnxElementType.Float, -1, 1);
        var wide = g.Apply("Tile", ["age", g.Constant(new long[] { 1, 10_000_000 }, 2)]);
        var least = g.Apply("ReduceMin", [wide], "", OnnxAttribute.Ints("axes", [1]), OnnxAttribute.Int("keepdims", 0));
        var label = g.Apply("Cast", [g.Apply("Less", [least, g.Constant([0f])])], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
        g.Node("Identity", [label], ["label"]);
        g.Output("label", OnnxElementType.Int64, -1);
        return g.ToModelBytes();
    }

    [Fact]
    public void Score_RefusesUnknownMetric()
    {
        var (baseline, _) = AdultModels.Value;
        var (code, _, error) = CliRunner.Run("score", "--holdout", CliRunner.DemoData("adult.test.gz"), "--model", baseline, "--group", Married, "--metric", "accuracy");

        Assert.Equal(2, code);
        Assert.Equal("bbounty: unknown metric 'accuracy'; metrics are error, fpr, fnr, squared, lossColumn, wer, cer", error.TrimEnd());
    }

    [Fact]
    public void SynthSplitTrainScoreBench_WorkTogether_OnPlantedData()
    {
        var all = CliRunner.TempFile("synthetic.csv.gz");
        var (synthCode, synthOutput, _) = CliRunner.Run("synth", "--kind", "tabular", "--rows", "30000", "--seed", "3", "--out", all);
        Assert.Equal(0, synthCode);
        Assert.Contains("planted: region == \"South\" and age >= 60", synthOutput);

        var train = Path.Combine(Path.GetDirectoryName(all)!, "train.csv");
        var holdout = Path.Combine(Path.GetDirectoryName(all)!, "holdout.csv");
        var (splitCode, splitOutput, _) = CliRunner.Run("split", "--data", all, "--holdout-share", "0.5", "--seed", "4", "--train-out", train, "--holdout-out", holdout);
        Assert.Equal(0, splitCode);
        Assert.Contains("(15,000 rows)", splitOutput);

        var baseline = CliRunner.TempFile("base.onnx");
        var fix = CliRunner.TempFile("fix.onnx");
        const string group = "region == \"South\" and age >= 60";
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", train, "--out", baseline).ExitCode);
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", train, "--group", group, "--out", fix).ExitCode);

        var (scoreCode, scoreOutput, _) = CliRunner.Run("score", "--holdout", holdout, "--model", baseline, "--group", group, "--fix", fix, "--json");
        Assert.Equal(0, scoreCode);
        using (var json = JsonDocument.Parse(scoreOutput))
        {
            Assert.True(json.RootElement.GetProperty("finding_verified").GetBoolean());
            Assert.True(json.RootElement.GetProperty("fix_verified").GetBoolean());
        }

        var (benchCode, benchOutput, _) = CliRunner.Run("bench", "--data", holdout, "--model", baseline, "--group", group, "--fix", fix, "--repeat", "3", "--json");
        Assert.Equal(0, benchCode);
        using var bench = JsonDocument.Parse(benchOutput);
        Assert.Equal(15_000, bench.RootElement.GetProperty("rows").GetInt32());
        Assert.True(bench.RootElement.GetProperty("finding_ms").GetDouble() > 0);
        Assert.True(bench.RootElement.GetProperty("fix_ms").GetDouble() > 0);
        Assert.True(bench.RootElement.GetProperty("finding_ms_min").GetDouble() <= bench.RootElement.GetProperty("finding_ms").GetDouble());
    }

    [Fact]
    public void Synth_Speech_WritesLossColumnsAndSchema()
    {
        var path = CliRunner.TempFile("speech.csv");

        var (code, output, _) = CliRunner.Run("synth", "--kind", "speech", "--rows", "2000", "--out", path);

        Assert.Equal(0, code);
        Assert.Contains("planted: accent == \"Scottish\" and noise == \"car\"", output);
        var schema = File.ReadAllText(path + ".schema.json");
        Assert.Contains("\"lossErrorsColumn\": \"word_errors\"", schema);
        var (inspectCode, inspectOutput, _) = CliRunner.Run("inspect", path);
        Assert.Equal(0, inspectCode);
        Assert.Matches(@"speaker_id\s+categorical\s+hidden", inspectOutput);
    }
}
