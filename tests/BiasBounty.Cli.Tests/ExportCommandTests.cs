using System.IO.Compression;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Cli.Tests;

/// <summary>bbounty export on the platform's model download (zip), built from real Adult models with fixes and repairs.</summary>
public class ExportCommandTests
{
    private static string Train(string group, params string[] extra)
    {
        var path = CliRunner.TempFile("model.onnx");
        var (code, _, error) = CliRunner.Run(["train-baseline", "--data", CliRunner.DemoData("adult.data.gz"), "--group", group, "--out", path, .. extra]);
        Assert.True(code == 0, error);
        return path;
    }

    /// <summary>The zip the platform's model download serves: decision-list.json without holdout predictions, and models/ID.onnx.</summary>
    private static (string Zip, PointerDecisionList List) Download()
    {
        var holdoutData = DataFiles.Load(CliRunner.DemoData("adult.test.gz"));
        var holdout = Holdout.Create(holdoutData, 0.4, 7);
        var label = LabelDomain.Of(holdoutData);
        using var catalog = new ModelCatalog(holdoutData.Schema, label);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string Add(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var id = catalog.AddOnnx(bytes, ModelRole.Predictor);
            files[id] = bytes;
            return id;
        }
        var baseline = CliRunner.TempFile("baseline.onnx");
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", CliRunner.DemoData("adult.data.gz"), "--out", baseline).ExitCode);
        var list = PointerDecisionList.Create(Add(baseline), holdout, catalog);
        void Update(string group, string fixPath)
        {
            var g = GroupRef.FromExpression(SubgroupExpression.Compile(group, holdoutData).Canonical);
            var rows = catalog.Members(g, holdoutData);
            var id = Add(fixPath);
            list = list.ApplyUpdate(g, rows, id, catalog.Predictor(id).Predict(holdoutData, rows.ToIndices()), null, holdout, Metric.Error, 0.001, 1f, catalog).List;
        }
        var married = "marital-status == \"Married-civ-spouse\"";
        Update(married, Train(married, "--kind", "trees"));
        var older = "age >= 50 and workclass != \"Private\"";
        Update(older, Train(older));
        // A fix trained on the opposite class: wrong almost everywhere, so repairs restore the earlier groups.
        var wide = "hours-per-week >= 40 or occupation is missing";
        Update(wide, Train(wide, "--positive", "<=50K"));
        Assert.Contains(list.Nodes, n => n is RepairNode);

        var zipPath = CliRunner.TempFile("adult-model.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("decision-list.json").Open()))
                writer.Write(JsonSerializer.Serialize(new
                {
                    format = PointerDecisionList.FormatName,
                    baseModelId = list.BaseModelId,
                    nodes = list.Nodes,
                    versions = list.Versions.Select(v => new { number = v.Number, nodeCount = v.NodeCount }),
                }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
            foreach (var (id, bytes) in files)
                using (var entry = zip.CreateEntry($"models/{id}.onnx").Open()) entry.Write(bytes);
        }
        return (zipPath, list);
    }

    private static readonly Lazy<(string Zip, PointerDecisionList List)> Package = new(Download);

    [Fact]
    public void Export_WritesOneOnnxFile_EqualToTheListOnEveryHoldoutRow()
    {
        var (zip, list) = Package.Value;
        var output = CliRunner.TempFile("model.onnx");

        var (code, text, error) = CliRunner.Run("export", "--list", zip, "--data", CliRunner.DemoData("adult.test.gz"), "--out", output);

        Assert.True(code == 0, error);
        Assert.Contains($"compiled version {list.Current.Number} of {list.Current.Number}: the base model, 3 fixes and", text);
        Assert.Contains("checked on adult.test.gz: equal to the decision list on all 16,281 rows", text);
        // The file alone, in ONNX Runtime: the holdout's cached predictions of the current version.
        var data = DataFiles.Load(CliRunner.DemoData("adult.test.gz"));
        using var model = OnnxModel.Load(File.ReadAllBytes(output), data.Schema, LabelDomain.Of(data), ModelRole.Predictor);
        Assert.Equal(list.Current.HoldoutPredictions, model.PredictAll(data));
    }

    [Fact]
    public void Export_AnEarlierVersion()
    {
        var (zip, list) = Package.Value;
        var output = CliRunner.TempFile("v1.onnx");

        var (code, text, error) = CliRunner.Run("export", "--list", zip, "--data", CliRunner.DemoData("adult.test.gz"), "--version", "1", "--out", output);

        Assert.True(code == 0, error);
        Assert.Contains("compiled version 1 of", text);
        var data = DataFiles.Load(CliRunner.DemoData("adult.test.gz"));
        using var model = OnnxModel.Load(File.ReadAllBytes(output), data.Schema, LabelDomain.Of(data), ModelRole.Predictor);
        Assert.Equal(list.HoldoutPredictions(1), model.PredictAll(data));
    }

    [Fact]
    public void Export_RefusesAFileThatIsNotADecisionList()
    {
        var json = CliRunner.TempFile("list.json");
        File.WriteAllText(json, "{\"format\":\"something else\"}");

        var (code, _, error) = CliRunner.Run("export", "--list", json, "--data", CliRunner.DemoData("adult.test.gz"), "--out", CliRunner.TempFile("m.onnx"));

        Assert.Equal(2, code);
        Assert.StartsWith("bbounty: not a decision list", error);
    }
}
