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
        var references = Transcripts(data, referenceName, "--reference", dataPath, allowEmpty: false);
        var hypotheses = Transcripts(data, hypothesisName, "--hypothesis", dataPath, allowEmpty: true);
        if (speaker is not null && data.Schema.Find(speaker) is null)
            throw new UsageException($"--speaker '{speaker}' is not a column of {Path.GetFileName(dataPath)}; columns are {ColumnList(data)}");

        var clock = Stopwatch.StartNew();
        var counts = TranscriptErrors.Count(references, hypotheses, unit, normalization);
        var elapsed = clock.Elapsed;

        var (errorsName, sizeName) = unit == ErrorUnit.Word ? ("word_errors", "reference_words") : ("char_errors", "reference_chars");
        foreach (var taken in new[] { errorsName, sizeName })
            if (data.Schema.Find(taken) is not null)
                throw new UsageException($"{Path.GetFileName(dataPath)} already has a column '{taken}'; rename it first");
        var errors = counts.Select(c => (float)c.Errors).ToArray();
        var sizes = counts.Select(c => (float)c.ReferenceLength).ToArray();
        var none = new RowSet(data.RowCount);
        var columns = data.Columns.Concat([new NumericColumn(errorsName, errors, none), new NumericColumn(sizeName, sizes, none)]).ToArray();
        // Transcripts are what was said: kept in the file for the organizer, never a feature of a group.
        var specs = data.Schema.Columns
            .Select(c => c.Name == referenceName || c.Name == hypothesisName || c.Name == speaker ? c with { Role = ColumnRole.Hidden } : c)
            .Concat([new ColumnSpec(errorsName, ColumnKind.Numeric, ColumnRole.Loss), new ColumnSpec(sizeName, ColumnKind.Numeric, ColumnRole.Loss)])
            .ToArray();
        var schema = data.Schema with
        {
            Columns = specs, LossErrorsColumn = errorsName, LossSizeColumn = sizeName, ClusterColumn = speaker ?? data.Schema.ClusterColumn,
        };
        var table = new Dataset(schema, columns);
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

    private static string[] Transcripts(Dataset data, string name, string option, string path, bool allowEmpty)
    {
        if (!data.TryGetColumn(name, out var column))
            throw new UsageException($"{option} '{name}' is not a column of {Path.GetFileName(path)}; columns are {ColumnList(data)}");
        var texts = new string[data.RowCount];
        for (var row = 0; row < texts.Length; row++)
        {
            var text = column.FormatValue(row);
            if (string.IsNullOrWhiteSpace(text) && !allowEmpty)
                throw new UsageException($"{Path.GetFileName(path)}, line {row + 2}, column '{name}': the reference transcript is empty; an error rate needs what was said");
            if (text is not null && text.Contains('\uFFFD'))
                throw new UsageException($"{Path.GetFileName(path)}, line {row + 2}, column '{name}': the text is not valid UTF-8; save the file as UTF-8");
            texts[row] = text ?? "";
        }
        return texts;
    }

    private static string ColumnList(Dataset data) => string.Join(", ", data.Schema.Columns.Select(c => c.Name));
}
