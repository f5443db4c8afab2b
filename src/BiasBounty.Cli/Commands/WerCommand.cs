using System.Diagnostics;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Text;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty wer</c>: turns a transcript table (one row per utterance, a reference and a hypothesis column) into an
/// evaluation table: the per-row errors and reference length the word-error-rate metric scores, with a sidecar schema
/// that marks them as the loss columns, hides the transcripts, and names the speaker column when there is one.
/// </summary>
public static class WerCommand
{
    public const string Usage =
        "bbounty wer --data TABLE --reference COL --hypothesis COL --out TABLE_WITH_ERRORS [--cer] [--speaker COL] [--keep-case] [--keep-punctuation]";

    public static int Run(CommandLine args, TextWriter output)
    {
        var dataPath = args.Required("data", "transcripts.csv");
        var referenceName = args.Required("reference", "reference");
        var hypothesisName = args.Required("hypothesis", "hypothesis");
        var outPath = args.Required("out", "evaluation.csv");
        var unit = args.Flag("cer") ? ErrorUnit.Character : ErrorUnit.Word;
        var speaker = args.Optional("speaker");
        var normalization = new TextNormalization(LowerCase: !args.Flag("keep-case"), RemovePunctuation: !args.Flag("keep-punctuation"));
        args.RejectUnknown();
        OutputFiles.CheckWritable(outPath);

        var data = DataFiles.Load(dataPath);
        foreach (var (option, column) in new[] { ("--reference", referenceName), ("--hypothesis", hypothesisName), ("--speaker", speaker) })
            if (column is not null && data.Schema.Find(column) is null)
                throw new UsageException($"{option} '{column}' is not a column of {Path.GetFileName(dataPath)}; columns are {string.Join(", ", data.Schema.Columns.Select(c => c.Name))}");

        var clock = Stopwatch.StartNew();
        var (table, counts) = EvaluationTable.FromTranscripts(data, referenceName, hypothesisName, speaker, unit, normalization, Path.GetFileName(dataPath));
        var elapsed = clock.Elapsed;
        var schema = table.Schema;
        SynthCommand.Write(table, outPath);
        var schemaPath = SchemaFile.WriteBeside(outPath, schema);

        var totalErrors = counts.Sum(c => (long)c.Errors);
        var totalSize = counts.Sum(c => (long)c.ReferenceLength);
        var rate = unit == ErrorUnit.Word ? "word error rate" : "character error rate";
        output.WriteLine($"{data.RowCount:N0} utterances: {rate} {100.0 * totalErrors / Math.Max(1, totalSize):0.00} % ({totalErrors:N0} errors over {totalSize:N0} reference {(unit == ErrorUnit.Word ? "words" : "characters")}) in {elapsed.TotalSeconds:0.00} s");
        output.WriteLine($"normalisation: {normalization.Describe()}");
        output.WriteLine($"wrote {outPath} and {schemaPath}");
        return 0;
    }
}
