using System.Security.Cryptography;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Text;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Organize;

/// <summary>
/// How the organizer marks an evaluation table's columns: the speaker (cluster) column, hidden columns, and either the
/// per-row errors and size columns or a reference and a hypothesis transcript column from which the platform counts
/// the errors. Every other column is a feature (accent, noise, device…).
/// </summary>
public sealed record EvaluationColumns(
    string? Speaker,
    IReadOnlyCollection<string> Hidden,
    string? Errors = null,
    string? Size = null,
    string? Reference = null,
    string? Hypothesis = null)
{
    /// <summary>Whether the errors are to be counted from transcripts rather than read from the table.</summary>
    public bool FromTranscripts => Reference is not null || Hypothesis is not null;
}

/// <summary>The wizard's evaluation-table path (issue 12): the columns step, the split by speaker and version 0.</summary>
public sealed partial class CompetitionDraft
{
    /// <summary>
    /// Confirms an evaluation table (one row per evaluated item): checks the errors and sizes (or counts them from the
    /// transcripts with <see cref="TextNormalization.Default"/>, in words for wer and characters for cer), names the
    /// speaker as the cluster column, then splits a single file by speaker with a new stored seed (no speaker on both
    /// sides) or reads the holdout with the same columns, and computes version 0: the table's error rate on the feedback part.
    /// </summary>
    /// <param name="kinds">Column kinds the organizer changed from the inferred ones; null or empty keeps them.</param>
    public string? ConfirmEvaluationTable(EvaluationColumns columns, CompetitionSettings settings, IReadOnlyDictionary<string, ColumnKind>? kinds = null)
    {
        Reset();
        if (Source is not { } source) return "Upload the evaluation table (or a public table and a holdout table) first.";
        if (Combined is null && Holdout is null) return "Upload the holdout table (or one table that the platform splits) first.";
        var metric = settings.Metric;
        if (metric is not (Metric.Wer or Metric.Cer))
            return "Choose wer or cer as the metric in step 1: an evaluation table is judged by its word or character error rate.";
        if (ColumnsProblem(columns, source.Data) is { } columnsProblem) return columnsProblem;

        string[] loss = columns.FromTranscripts ? [] : [columns.Errors!, columns.Size!];
        string[] texts = columns.FromTranscripts ? [columns.Reference!, columns.Hypothesis!] : [];
        var schema = new DatasetSchema(
            source.Data.Schema.Columns.Select(c => c with
            {
                Role = loss.Contains(c.Name) ? ColumnRole.Loss
                    : c.Name == columns.Speaker || texts.Contains(c.Name) || columns.Hidden.Contains(c.Name) ? ColumnRole.Hidden : ColumnRole.Feature,
                // Counts are numbers and transcripts are text whatever they look like ("007" must stay "007").
                Kind = loss.Contains(c.Name) ? ColumnKind.Numeric : texts.Contains(c.Name) ? ColumnKind.Categorical
                    : kinds is not null && kinds.TryGetValue(c.Name, out var kind) ? kind : c.Kind,
            }).ToArray(),
            LossErrorsColumn: columns.FromTranscripts ? null : columns.Errors,
            LossSizeColumn: columns.FromTranscripts ? null : columns.Size,
            ClusterColumn: columns.Speaker);
        if (schema.Features.Count == 0) return "Keep at least one column as a feature (such as accent or noise): groups are described by them.";

        var what = Combined is not null ? "data file" : "public file";
        var (publicPart, problem) = Evaluate(source, schema, columns, metric, what);
        if (publicPart is null) return problem;
        if (Combined is not null)
        {
            problem = SplitBySpeaker(Combined.FileName, publicPart);
        }
        else
        {
            var (hidden, holdoutProblem) = Evaluate(Holdout!, schema, columns, metric, "holdout file");
            problem = hidden is null ? holdoutProblem : UseHoldout(Training!, publicPart, hidden);
        }
        if (problem is not null)
        {
            Reset();
            return problem;
        }
        CountedWith = columns.FromTranscripts ? metric : null;
        Schema = publicPart.Schema;
        var check = CheckEvaluationTable(settings);
        if (check is not null) Reset();
        return check;
    }

    /// <summary>Whether the organizer's column choices name distinct columns of the table, with a speaker.</summary>
    private static string? ColumnsProblem(EvaluationColumns columns, Dataset table)
    {
        if (string.IsNullOrWhiteSpace(columns.Speaker))
            return "Pick the column that identifies the speaker (or whoever produced each row): rows of one speaker are tested together.";
        string?[] chosen = columns.FromTranscripts ? [columns.Reference, columns.Hypothesis] : [columns.Errors, columns.Size];
        if (columns.FromTranscripts)
        {
            if (string.IsNullOrWhiteSpace(columns.Reference)) return "Pick the reference column: the transcript of what was said.";
            if (string.IsNullOrWhiteSpace(columns.Hypothesis)) return "Pick the hypothesis column: the transcript the system produced.";
        }
        else
        {
            if (string.IsNullOrWhiteSpace(columns.Errors)) return "Pick the errors column: each row's number of errors (for example word errors).";
            if (string.IsNullOrWhiteSpace(columns.Size)) return "Pick the size column: what each row's errors are counted out of (for example reference words).";
        }
        foreach (var name in chosen.Prepend(columns.Speaker))
            if (!table.TryGetColumn(name!, out _)) return $"'{name}' is not a column of the file.";
        if (chosen.Prepend(columns.Speaker).Distinct().Count() != 3)
            return columns.FromTranscripts
                ? "The speaker, the reference and the hypothesis must be three different columns."
                : "The speaker, the errors and the size must be three different columns.";
        return null;
    }

    /// <summary>
    /// One uploaded table as an evaluation table: read with the schema, every row checked (a speaker, errors ≥ 0 and a
    /// size above 0, or a reference transcript), errors counted from transcripts. Messages name the file, line and
    /// column, never a value.
    /// </summary>
    private static (Dataset? Table, string? Problem) Evaluate(UploadedTable table, DatasetSchema schema, EvaluationColumns columns, Metric metric, string what)
    {
        if (ColumnDifference(schema.Columns.Select(c => c.Name).ToArray(), table.Data) is { } difference)
            return (null, $"The {what} must have the public file's columns: {difference}.");
        var (data, problem) = LoadAs(table, schema, $"The {what} does not fit the chosen columns: ");
        if (data is null) return (null, problem);
        var firstLine = table.HasHeader ? 2 : 1;
        var speaker = data[columns.Speaker!];
        for (var row = 0; row < data.RowCount; row++)
            if (speaker.IsMissing(row))
                return (null, $"The {what}, line {row + firstLine}, column '{speaker.Name}': the speaker is missing; every row needs one.");
        if (!columns.FromTranscripts) return CountsProblem(data, schema, what, firstLine) is { } countsProblem ? (null, countsProblem) : (data, null);
        try
        {
            var unit = metric == Metric.Cer ? ErrorUnit.Character : ErrorUnit.Word;
            return (EvaluationTable.FromTranscripts(data, columns.Reference!, columns.Hypothesis!, columns.Speaker, unit, TextNormalization.Default, $"The {what}").Table, null);
        }
        catch (ArgumentException)
        {
            return (null, $"A transcript in the {what} is longer than {EditDistance.MaxTextLength:N0} characters; an evaluation row is one utterance, document or response.");
        }
        catch (ScoringInputException e)
        {
            return (null, Sentence(e.Message));
        }
    }

    /// <summary>Every row's errors must be a number of at least 0 and its size more than 0.</summary>
    private static string? CountsProblem(Dataset data, DatasetSchema schema, string what, int firstLine)
    {
        var errors = (NumericColumn)data[schema.LossErrorsColumn!];
        var sizes = (NumericColumn)data[schema.LossSizeColumn!];
        for (var row = 0; row < data.RowCount; row++)
        {
            var line = row + firstLine;
            if (errors.IsMissing(row)) return $"The {what}, line {line}, column '{errors.Name}': the number of errors is missing; every row needs one.";
            if (sizes.IsMissing(row)) return $"The {what}, line {line}, column '{sizes.Name}': the size is missing; every row needs one.";
            if (!(errors.Values[row] >= 0) || float.IsInfinity(errors.Values[row]))
                return $"The {what}, line {line}, column '{errors.Name}': errors must be a number of 0 or more.";
            if (!(sizes.Values[row] > 0) || float.IsInfinity(sizes.Values[row]))
                return $"The {what}, line {line}, column '{sizes.Name}': the size must be more than 0 (a row with nothing to count has no error rate).";
        }
        return null;
    }

    /// <summary>Splits one evaluation table into a public part and the holdout by whole speakers, with a new stored seed.</summary>
    private string? SplitBySpeaker(string fileName, Dataset table)
    {
        if (HoldoutShare is < 0.05 or > 0.95) return "The holdout share must be between 0.05 and 0.95.";
        var speakers = global::BiasBounty.Scoring.Engine.Holdout.ClusterIds(table, table.Schema.ClusterColumn!);
        var seed = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var holdoutRows = global::BiasBounty.Scoring.Engine.Holdout.ClusterSplit(speakers, HoldoutShare, seed);
        var publicRows = holdoutRows.Not();
        if (SpeakerCount(speakers, holdoutRows) < 2 || publicRows.Count() == 0)
            return $"The file has {speakers.Distinct().Count():N0} speakers: too few to split by speaker. The public part needs at least one speaker " +
                   "and the holdout at least two (its feedback and confirmation parts each get whole speakers).";
        var stem = Stem(fileName);
        TrainingFile = DataFile.WithSchema(stem + "-public.csv.gz", CsvDatasetWriter.ToBytes(table.SelectRows(publicRows.ToIndices())), table.Schema);
        HoldoutFile = DataFile.WithSchema(stem + "-holdout.csv.gz", CsvDatasetWriter.ToBytes(table.SelectRows(holdoutRows.ToIndices())), table.Schema);
        DataSplitSeed = seed;
        return null;
    }

    /// <summary>A public table and a holdout table uploaded separately: no speaker may be in both, and the holdout needs two.</summary>
    private string? UseHoldout(UploadedTable training, Dataset publicPart, Dataset hidden)
    {
        var speaker = publicPart.Schema.ClusterColumn!;
        var publicSpeakers = Values(publicPart[speaker]).ToHashSet();
        var shared = Values(hidden[speaker]).Distinct().Count(publicSpeakers.Contains);
        if (shared > 0)
            return (shared == 1 ? "1 speaker of the holdout file is" : $"{shared:N0} speakers of the holdout file are") + " also in the public file; a speaker must be on one side only " +
                   "(or upload one file and let the platform split it by speaker).";
        if (Values(hidden[speaker]).Distinct().Count() < 2)
            return "The holdout file has fewer than two speakers; its feedback and confirmation parts each need whole speakers.";
        TrainingFile = DataFile.WithSchema(Stem(training.FileName) + ".csv.gz", CsvDatasetWriter.ToBytes(publicPart), publicPart.Schema);
        HoldoutFile = DataFile.WithSchema(Stem(Holdout!.FileName) + "-holdout.csv.gz", CsvDatasetWriter.ToBytes(hidden), hidden.Schema);
        DataSplitSeed = null;
        return null;

        static IEnumerable<string?> Values(Column column) => Enumerable.Range(0, column.Length).Select(column.FormatValue);
    }

    private static int SpeakerCount(int[] speakers, RowSet rows) => rows.ToIndices().Select(i => speakers[i]).Distinct().Count();

    /// <summary>Version 0 of an evaluation table with <paramref name="settings"/>: its error rate on the feedback part.</summary>
    private string? CheckEvaluationTable(CompetitionSettings settings)
    {
        Check = null;
        if (HoldoutFile is null || !IsEvaluationTable) return "Confirm the table's columns first.";
        if (CountedWith is { } counted && counted != settings.Metric)
            return $"The errors were counted for {counted.Name()}; the metric is now {settings.Metric.Name()}. Confirm the table's columns again to count them anew.";
        try
        {
            Check = CompetitionAssembly.CheckEvaluationTable(HoldoutFile.Load(), ModelCatalog.ContentId(HoldoutFile.Content), settings);
        }
        catch (ScoringInputException)
        {
            // The engine's message could name a holdout row; the rows were checked above, so this is the metric's fit.
            return $"The holdout cannot be scored by {settings.Metric.Name()}; check the errors and size columns.";
        }
        return null;
    }
}
