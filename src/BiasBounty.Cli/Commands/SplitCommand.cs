using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty split</c>: splits one labelled file into a public training part and a hidden holdout, stratified by
/// label with a recorded seed — what an organizer does before opening a competition.
/// </summary>
public static class SplitCommand
{
    public const string Usage =
        "bbounty split --data FILE [--label COL] [--positive VALUE] [--holdout-share 0.3] [--seed N] --train-out TRAIN.csv --holdout-out HOLDOUT.csv";

    public static int Run(CommandLine args, TextWriter output)
    {
        var path = args.Required("data", "all.csv");
        var trainOut = args.Required("train-out", "train.csv");
        var holdoutOut = args.Required("holdout-out", "holdout.csv");
        var shareText = args.Optional("holdout-share") ?? "0.3";
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var data = DataFiles.Load(path, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();
        OutputFiles.CheckWritable(trainOut);
        OutputFiles.CheckWritable(holdoutOut);
        if (!double.TryParse(shareText, System.Globalization.CultureInfo.InvariantCulture, out var share) || share is <= 0 or >= 1)
            throw new UsageException($"--holdout-share must be a number between 0 and 1, not '{shareText}'");

        var label = LabelDomain.Of(data);
        var strata = label.Task == TaskKind.Classification ? label.Encode(data) : new float[data.RowCount];
        var holdoutRows = Holdout.StratifiedSplit(strata, share, seed);
        foreach (var (rows, file) in new[] { (holdoutRows.Not(), trainOut), (holdoutRows, holdoutOut) })
        {
            SynthCommand.Write(data.SelectRows(rows.ToIndices()), file);
            var schemaPath = SchemaFile.WriteBeside(file, data.Schema);
            output.WriteLine($"wrote {file} ({rows.Count():N0} rows) and {schemaPath}");
        }
        output.WriteLine($"split stratified by {label.Column}, holdout share {share:0.###}, seed {seed}");
        return 0;
    }
}
