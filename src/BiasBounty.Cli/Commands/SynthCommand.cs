using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty synth</c>: writes a synthetic dataset with planted bias (tabular or speech evaluation) as CSV with its
/// sidecar schema, for demos and benchmarks. The planted groups are printed so a demo knows what to look for.
/// </summary>
public static class SynthCommand
{
    public const string Usage = "bbounty synth --kind tabular|speech --rows N [--seed S] [--no-bias] --out FILE.csv[.gz]";

    public static int Run(CommandLine args, TextWriter output)
    {
        var kind = args.Required("kind", "tabular");
        var rows = args.Int("rows", 0, 1, 50_000_000);
        if (rows == 0) throw new UsageException("--rows is required (e.g. --rows 100000)");
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var planted = !args.Flag("no-bias");
        var outPath = args.Required("out", "synthetic.csv");
        args.RejectUnknown();
        OutputFiles.CheckWritable(outPath);

        Dataset data;
        switch (kind)
        {
            case "tabular":
                var tabular = PlantedBiasGenerator.Tabular(rows, seed, plantedEffect: planted);
                data = tabular.Data;
                foreach (var group in tabular.Planted) output.WriteLine($"planted: {group.Expression} — {group.Description}");
                break;
            case "speech":
                data = PlantedBiasGenerator.Speech(rows, seed, planted);
                if (planted)
                    foreach (var (accent, noise, extra) in PlantedBiasGenerator.PlantedSpeechGaps)
                        output.WriteLine($"planted: accent == \"{accent}\" and noise == \"{noise}\" — word error rate +{extra * 100:0} pp");
                break;
            default:
                throw new UsageException($"--kind must be tabular or speech, not '{kind}'");
        }
        Write(data, outPath);
        var schemaPath = SchemaFile.WriteBeside(outPath, data.Schema);
        output.WriteLine($"wrote {outPath} ({data.RowCount:N0} rows) and {schemaPath}");
        return 0;
    }

    /// <summary>Writes a dataset as CSV (gzip when the name ends in .gz).</summary>
    public static void Write(Dataset data, string path) => CsvDatasetWriter.Write(data, path);
}
