using System.IO.Compression;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty export</c>: compiles a published decision list (the platform's model download: a zip of
/// <c>decision-list.json</c> and <c>models/ID.onnx</c>) into one ONNX file, then checks it on the given data against
/// the engine's own prediction of the list.
/// </summary>
public static class ExportCommand
{
    public const string Usage =
        "bbounty export --list DECISION_LIST.zip --data PUBLIC.csv [--label COL] [--positive VALUE] [--version N] --out model.onnx";

    public static int Run(CommandLine args, TextWriter output)
    {
        var listPath = args.Required("list", "competition-model-v3.zip");
        var dataPath = args.Required("data", "train.csv");
        var outPath = args.Required("out", "model.onnx");
        var versionText = args.Optional("version");
        var data = DataFiles.Load(dataPath, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();
        OutputFiles.CheckWritable(outPath);

        var (structure, models) = ReadPackage(listPath);
        var version = structure.VersionNodeCounts.Count - 1;
        if (versionText is not null)
            version = args.Int("version", version, 0, structure.VersionNodeCounts.Count - 1);
        var label = LabelDomain.Of(data);
        var onnx = DecisionListCompiler.Compile(structure, data.Schema, label, models, FeatureCoding.Of(data), version);
        File.WriteAllBytes(outPath, onnx);

        var nodes = structure.Nodes.Take(structure.VersionNodeCounts[version]).ToArray();
        output.WriteLine($"compiled version {version} of {structure.VersionNodeCounts.Count - 1}: the base model, " +
            $"{nodes.OfType<UpdateNode>().Count()} fixes and {nodes.OfType<RepairNode>().Count()} repairs");
        output.WriteLine($"wrote {outPath} ({onnx.Length:N0} bytes; inputs: one per feature column, float or string [N, 1], " +
            $"missing = NaN or \"\"; output '{DecisionListCompiler.OutputName}' float [N])");

        // Check: ONNX Runtime on the exported file against the engine's decision list, every row of the data.
        using var catalog = new ModelCatalog(data.Schema, label, coding: FeatureCoding.Of(data));
        foreach (var (id, bytes) in models)
        {
            var groupModel = structure.Nodes.Any(n => n.Group.ModelId == id);
            catalog.AddOnnx(bytes, groupModel ? ModelRole.Group : ModelRole.Predictor, null,
                id == structure.BaseModelId ? ModelTrust.Trusted : ModelTrust.Untrusted);
        }
        var expected = PointerDecisionList.ForPrediction(structure).Predict(data, catalog, version);
        using var exported = OnnxModel.Load(onnx, data.Schema, label, ModelRole.Predictor);
        var actual = exported.PredictAll(data);
        var differing = Enumerable.Range(0, expected.Length).Count(i => !expected[i].Equals(actual[i]));
        if (differing > 0)
            throw new InvalidOperationException($"the exported model differs from the decision list on {differing:N0} of {expected.Length:N0} rows");
        output.WriteLine($"checked on {Path.GetFileName(dataPath)}: equal to the decision list on all {expected.Length:N0} rows");
        return 0;
    }

    /// <summary>Reads the platform's model download (zip), or a decision-list JSON with its models in <c>models/</c> beside it.</summary>
    internal static (DecisionListStructure List, Dictionary<string, byte[]> Models) ReadPackage(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"decision list not found: {path}");
        var models = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string json;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 4 && bytes[0] == 'P' && bytes[1] == 'K')
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            var listEntry = zip.GetEntry("decision-list.json")
                ?? throw new UsageException($"{Path.GetFileName(path)} has no decision-list.json; give the model download of a competition (version 1 or later)");
            using (var reader = new StreamReader(listEntry.Open())) json = reader.ReadToEnd();
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.StartsWith("models/", StringComparison.Ordinal) || !entry.FullName.EndsWith(".onnx", StringComparison.Ordinal)) continue;
                if (entry.Length > ModelLimits.Default.MaxModelBytes) throw new UsageException($"{entry.FullName} is larger than a model may be");
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                models[entry.FullName["models/".Length..^".onnx".Length]] = buffer.ToArray();
            }
        }
        else
        {
            json = System.Text.Encoding.UTF8.GetString(bytes);
            var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "models");
            if (Directory.Exists(folder))
                foreach (var file in Directory.EnumerateFiles(folder, "*.onnx"))
                    models[Path.GetFileNameWithoutExtension(file)] = File.ReadAllBytes(file);
        }
        return (DecisionListStructure.FromJson(json), models);
    }
}
