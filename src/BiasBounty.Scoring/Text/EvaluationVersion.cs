using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Text;

/// <summary>
/// The evaluation of the same items by a new version of the system (a retrained recogniser), matched to the stored
/// evaluation table by the schema's item id column. The upload holds every item once, with the table's feature values,
/// and either the loss columns (errors ≥ 0, size &gt; 0) or the reference and hypothesis transcripts, from which the
/// loss columns are computed as <see cref="EvaluationTable.FromTranscripts"/> does.
/// </summary>
public static class EvaluationVersion
{
    /// <summary>Where the transcripts are when the upload has no loss columns, and how they are compared.</summary>
    public sealed record Transcripts(string Reference, string Hypothesis, ErrorUnit Unit, TextNormalization Normalization)
    {
        public static Transcripts Words { get; } = new("reference", "hypothesis", ErrorUnit.Word, TextNormalization.Default);
    }

    /// <summary>
    /// Each stored part (e.g. the public part and the holdout) again, row for row and column for column, with the loss
    /// columns of the new version: the same rows in the same order, so the holdout's split and clusters are unchanged.
    /// </summary>
    /// <param name="upload">The new version, read from a file with a header line (messages count it as line 1).</param>
    /// <param name="parts">The stored tables that together hold the competition's items; they share one schema.</param>
    /// <param name="source">How messages name the upload (its file name).</param>
    /// <exception cref="ScoringInputException">
    /// The schema names no item id or loss columns; the upload lacks a column, has an empty or repeated id, a feature value
    /// that differs from the table's, an invalid loss; or its ids are not the table's. Messages name lines and columns of
    /// the upload and counts, never a value of the stored tables.
    /// </exception>
    public static IReadOnlyList<Dataset> Match(Dataset upload, IReadOnlyList<Dataset> parts, string source, Transcripts transcripts)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(transcripts);
        if (parts.Count == 0) throw new ArgumentException("at least one stored table is needed", nameof(parts));
        var schema = parts[0].Schema;
        var idName = schema.ItemIdColumn ?? throw new ScoringInputException("this evaluation table names no item id column, so a new version cannot be matched to its items");
        if (schema.LossErrorsColumn is not { } errorsName || schema.LossSizeColumn is not { } sizeName)
            throw new ScoringInputException("this table has no loss columns; only an evaluation table (errors and size per item) takes new versions");
        if (!upload.TryGetColumn(idName, out var uploadIds))
            throw new ScoringInputException($"{source} has no column '{idName}'; each row must name the item it evaluates by its {idName}");
        var missingColumn = schema.Features.FirstOrDefault(f => !upload.TryGetColumn(f.Name, out _));
        if (missingColumn is not null)
            throw new ScoringInputException($"{source} has no column '{missingColumn.Name}'; a new version keeps the evaluation's feature columns ({string.Join(", ", schema.Features.Select(f => f.Name))})");

        var rowOf = UploadRows(uploadIds, idName, source);
        var (errors, sizes) = Losses(upload, errorsName, sizeName, source, transcripts);

        var used = new bool[upload.RowCount];
        var missing = 0;
        var matches = new int[parts.Count][];
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p];
            var ids = part[idName];
            var match = matches[p] = new int[part.RowCount];
            for (var row = 0; row < part.RowCount; row++)
            {
                if (ids.FormatValue(row) is { } id && rowOf.TryGetValue(id, out var uploadRow) && !used[uploadRow])
                {
                    used[uploadRow] = true;
                    match[row] = uploadRow;
                }
                else
                {
                    missing++;
                    match[row] = -1;
                }
            }
        }
        var extra = used.Count(u => !u);
        if (missing > 0 || extra > 0)
        {
            var problems = new List<string>();
            if (missing > 0) problems.Add($"{Count(missing, "item id", "item ids")} ('{idName}') of the evaluation {(missing == 1 ? "is" : "are")} missing from {source}");
            if (extra > 0)
                problems.Add($"{Count(extra, "row", "rows")} of {source} name{(extra == 1 ? "s" : "")} an item the evaluation does not hold (the first on line {Array.IndexOf(used, false) + 2})");
            throw new ScoringInputException(string.Join("; ", problems) + ". A new version evaluates exactly the competition's items, each once.");
        }

        var result = new Dataset[parts.Count];
        for (var p = 0; p < parts.Count; p++)
        {
            var (part, match) = (parts[p], matches[p]);
            foreach (var feature in schema.Features)
                SameValues(part[feature.Name], upload[feature.Name], match, source);
            var none = new RowSet(part.RowCount);
            var columns = part.Columns.Select(c =>
                c.Name == errorsName ? new NumericColumn(errorsName, match.Select(r => errors[r]).ToArray(), none)
                : c.Name == sizeName ? new NumericColumn(sizeName, match.Select(r => sizes[r]).ToArray(), none)
                : c).ToArray();
            result[p] = new Dataset(part.Schema, columns);
        }
        return result;
    }

    /// <summary>Upload row by item id; an empty or repeated id is refused with its line.</summary>
    private static Dictionary<string, int> UploadRows(Column ids, string idName, string source)
    {
        var rowOf = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var row = 0; row < ids.Length; row++)
        {
            var id = ids.FormatValue(row);
            if (string.IsNullOrWhiteSpace(id))
                throw new ScoringInputException($"{source}, line {row + 2}, column '{idName}': the {idName} is empty; every row must name its item");
            if (!rowOf.TryAdd(id, row))
                throw new ScoringInputException($"{source}, line {row + 2}, column '{idName}': the same {idName} as line {rowOf[id] + 2}; each item is evaluated once");
        }
        return rowOf;
    }

    /// <summary>The upload's loss columns, or the errors of its transcripts when it has none.</summary>
    internal static (float[] Errors, float[] Sizes) Losses(Dataset upload, string errorsName, string sizeName, string source, Transcripts transcripts)
    {
        var hasErrors = upload.TryGetColumn(errorsName, out var errorsColumn);
        var hasSizes = upload.TryGetColumn(sizeName, out var sizesColumn);
        if (hasErrors && hasSizes)
        {
            var errors = LossValues(errorsColumn, source, size: false);
            var sizes = LossValues(sizesColumn, source, size: true);
            return (errors, sizes);
        }
        if (hasErrors || hasSizes)
            throw new ScoringInputException($"{source} has '{(hasErrors ? errorsName : sizeName)}' but not '{(hasErrors ? sizeName : errorsName)}'; give both loss columns, or neither and the transcripts");
        if (!upload.TryGetColumn(transcripts.Hypothesis, out _))
            throw new ScoringInputException($"{source} has neither the loss columns '{errorsName}' and '{sizeName}' nor the transcript columns '{transcripts.Reference}' and '{transcripts.Hypothesis}'");
        var (_, counts) = EvaluationTable.FromTranscripts(upload, transcripts.Reference, transcripts.Hypothesis, null, transcripts.Unit, transcripts.Normalization, source);
        return (counts.Select(c => (float)c.Errors).ToArray(), counts.Select(c => (float)c.ReferenceLength).ToArray());
    }

    private static float[] LossValues(Column column, string source, bool size)
    {
        if (column is not NumericColumn numeric)
            throw new ScoringInputException($"{source}, column '{column.Name}': the column must hold numbers");
        for (var row = 0; row < numeric.Length; row++)
        {
            var value = numeric.Values[row];
            var problem = numeric.IsMissing(row) ? "the value is missing"
                : !float.IsFinite(value) ? "the value is not a finite number"
                : size && value <= 0 ? "the size must be greater than 0"
                : !size && value < 0 ? "the error count must not be negative"
                : null;
            if (problem is not null) throw new ScoringInputException($"{source}, line {row + 2}, column '{column.Name}': {problem}");
        }
        return numeric.Values;
    }

    /// <summary>A feature must keep each item's value: the groups found on the table are the groups re-tested.</summary>
    private static void SameValues(Column stored, Column uploaded, int[] match, string source)
    {
        for (var row = 0; row < match.Length; row++)
            if (!string.Equals(stored.FormatValue(row), uploaded.FormatValue(match[row]), StringComparison.Ordinal))
                throw new ScoringInputException(
                    $"{source}, line {match[row] + 2}, column '{stored.Name}': the value differs from the evaluation's for this item; a new version evaluates the same items with the same features");
    }

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n:N0} {many}";
}
