using System.Buffers;
using System.Globalization;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Text;

/// <summary>What an error rate counts: words (WER) or characters (CER).</summary>
public enum ErrorUnit
{
    /// <summary>Word error rate: words separated by white space.</summary>
    Word,

    /// <summary>Character error rate: the characters of the normalised text, single spaces between words included.</summary>
    Character,
}

/// <summary>
/// How transcripts are made comparable before they are aligned, stated on the data card. Numbers stay as written
/// ("12" and "twelve" differ): rewriting them needs a language model of numbers that would hide real errors.
/// </summary>
/// <param name="LowerCase">Compare without case (invariant culture).</param>
/// <param name="RemovePunctuation">
/// Drop punctuation and symbols; an apostrophe or hyphen between two letters or digits stays part of its word
/// ("don't", "well-known"), any other one separates words.
/// </param>
public sealed record TextNormalization(bool LowerCase = true, bool RemovePunctuation = true)
{
    /// <summary>Lower case, punctuation removed: what ASR evaluations usually compare.</summary>
    public static TextNormalization Default { get; } = new();

    /// <summary>The text exactly as written, split on white space only (jiwer's default transformation).</summary>
    public static TextNormalization None { get; } = new(false, false);

    /// <summary>One line for the data card.</summary>
    public string Describe() => (LowerCase, RemovePunctuation) switch
    {
        (true, true) => "case ignored, punctuation removed (apostrophes and hyphens inside words kept), numbers as written",
        (true, false) => "case ignored, punctuation kept, numbers as written",
        (false, true) => "case kept, punctuation removed (apostrophes and hyphens inside words kept), numbers as written",
        (false, false) => "text compared exactly as written, split on white space",
    };
}

/// <summary>
/// The edits of the cheapest alignment of a hypothesis to its reference: substitutions, deletions (reference units
/// missing from the hypothesis) and insertions, with the reference's length. Errors = S + D + I; the rate is
/// Errors / ReferenceLength, which can exceed 1.
/// </summary>
public readonly record struct EditCounts(int Substitutions, int Deletions, int Insertions, int ReferenceLength)
{
    public int Errors => Substitutions + Deletions + Insertions;

    /// <summary>Errors / ReferenceLength; NaN for an empty reference.</summary>
    public double Rate => ReferenceLength == 0 ? double.NaN : (double)Errors / ReferenceLength;
}

/// <summary>
/// Word and character error counts by Levenshtein alignment. Written by hand, without per-pair allocations, because a
/// million utterance pairs must take about a second: the normalised text goes into a pooled buffer, words are spans
/// of it, and the dynamic programme keeps two rows.
/// </summary>
public static class EditDistance
{
    /// <summary>Longest normalised text (in characters) one side may have; longer transcripts are refused by callers.</summary>
    public const int MaxTextLength = 20_000;

    /// <summary>The edits that turn <paramref name="hypothesis"/> into <paramref name="reference"/>.</summary>
    /// <exception cref="ArgumentException">A text is longer than <see cref="MaxTextLength"/> after normalisation.</exception>
    public static EditCounts Count(string reference, string hypothesis, ErrorUnit unit, TextNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(normalization);
        var pool = ArrayPool<char>.Shared;
        var referenceBuffer = pool.Rent(reference.Length * 2 + 1);
        var hypothesisBuffer = pool.Rent(hypothesis.Length * 2 + 1);
        try
        {
            var r = Normalize(reference, referenceBuffer, normalization);
            var h = Normalize(hypothesis, hypothesisBuffer, normalization);
            if (r.Length > MaxTextLength || h.Length > MaxTextLength)
                throw new ArgumentException($"a transcript is longer than {MaxTextLength:N0} characters after normalisation");
            return unit == ErrorUnit.Character ? Align(new CharacterUnits(r, h)) : AlignWords(r, h);
        }
        finally
        {
            pool.Return(referenceBuffer);
            pool.Return(hypothesisBuffer);
        }
    }

    /// <summary>
    /// Writes the normalised text into <paramref name="buffer"/>: words separated by one space, no leading or trailing
    /// space. The buffer must hold twice the input's length (a surrogate pair lower-cased stays two chars).
    /// </summary>
    internal static ReadOnlySpan<char> Normalize(string text, char[] buffer, TextNormalization normalization)
    {
        var length = 0;
        var pendingSpace = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var separator = char.IsWhiteSpace(c) || char.IsControl(c);
            if (!separator && normalization.RemovePunctuation && IsPunctuation(c))
            {
                // Inside a word (letter or digit on both sides) apostrophes and hyphens belong to it; else drop or split.
                var joins = (c is '\'' or '’' or '-') && i > 0 && i + 1 < text.Length
                    && char.IsLetterOrDigit(text[i - 1]) && char.IsLetterOrDigit(text[i + 1]);
                if (!joins)
                {
                    // A dropped mark between words separates them ("end.Next"); one glued to a word just goes ("end.").
                    if (c is not '\'' and not '’') pendingSpace |= length > 0;
                    continue;
                }
                if (c == '’') c = '\'';
            }
            if (separator)
            {
                pendingSpace |= length > 0;
                continue;
            }
            if (pendingSpace)
            {
                buffer[length++] = ' ';
                pendingSpace = false;
            }
            buffer[length++] = normalization.LowerCase ? char.ToLowerInvariant(c) : c;
        }
        return buffer.AsSpan(0, length);
    }

    private static bool IsPunctuation(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol
            or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol;

    private static EditCounts AlignWords(ReadOnlySpan<char> reference, ReadOnlySpan<char> hypothesis)
    {
        var referenceWords = Words(reference, out var referenceRented);
        var hypothesisWords = Words(hypothesis, out var hypothesisRented);
        try
        {
            return Align(new WordUnits(reference, hypothesis, referenceWords, hypothesisWords));
        }
        finally
        {
            if (referenceRented is not null) ArrayPool<(int, int)>.Shared.Return(referenceRented);
            if (hypothesisRented is not null) ArrayPool<(int, int)>.Shared.Return(hypothesisRented);
        }
    }

    private static ReadOnlySpan<(int Start, int Length)> Words(ReadOnlySpan<char> text, out (int, int)[]? rented)
    {
        rented = null;
        if (text.IsEmpty) return [];
        var count = text.Count(' ') + 1;
        rented = ArrayPool<(int, int)>.Shared.Rent(count);
        var words = rented.AsSpan(0, count);
        var start = 0;
        var w = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != ' ') continue;
            words[w++] = (start, i - start);
            start = i + 1;
        }
        return words;
    }

    /// <summary>The two sequences being aligned; a generic struct so the comparison inlines into the loop.</summary>
    private interface IUnits
    {
        int ReferenceLength { get; }

        int HypothesisLength { get; }

        bool Same(int referenceIndex, int hypothesisIndex);
    }

    private readonly ref struct CharacterUnits(ReadOnlySpan<char> reference, ReadOnlySpan<char> hypothesis) : IUnits
    {
        private readonly ReadOnlySpan<char> _reference = reference;
        private readonly ReadOnlySpan<char> _hypothesis = hypothesis;

        public int ReferenceLength => _reference.Length;

        public int HypothesisLength => _hypothesis.Length;

        public bool Same(int referenceIndex, int hypothesisIndex) => _reference[referenceIndex] == _hypothesis[hypothesisIndex];
    }

    private readonly ref struct WordUnits(ReadOnlySpan<char> reference, ReadOnlySpan<char> hypothesis,
        ReadOnlySpan<(int Start, int Length)> referenceWords, ReadOnlySpan<(int Start, int Length)> hypothesisWords) : IUnits
    {
        private readonly ReadOnlySpan<char> _reference = reference;
        private readonly ReadOnlySpan<char> _hypothesis = hypothesis;
        private readonly ReadOnlySpan<(int Start, int Length)> _referenceWords = referenceWords;
        private readonly ReadOnlySpan<(int Start, int Length)> _hypothesisWords = hypothesisWords;

        public int ReferenceLength => _referenceWords.Length;

        public int HypothesisLength => _hypothesisWords.Length;

        public bool Same(int referenceIndex, int hypothesisIndex)
        {
            var (rs, rl) = _referenceWords[referenceIndex];
            var (hs, hl) = _hypothesisWords[hypothesisIndex];
            return rl == hl && _reference.Slice(rs, rl).SequenceEqual(_hypothesis.Slice(hs, hl));
        }
    }

    private static EditCounts Align<TUnits>(TUnits units) where TUnits : IUnits, allows ref struct
    {
        var n = units.ReferenceLength;
        var m = units.HypothesisLength;
        if (n == 0) return new EditCounts(0, 0, m, 0);
        if (m == 0) return new EditCounts(0, n, 0, n);
        // The whole cost matrix, so the edits can be read back by walking from the end: for utterances it is a few
        // hundred ints on the stack, cheaper than carrying S/D/I counts through every cell.
        var width = m + 1;
        var size = (n + 1) * width;
        int[]? rented = null;
        var cost = size <= 4096 ? stackalloc int[size] : (rented = System.Buffers.ArrayPool<int>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            for (var j = 0; j <= m; j++) cost[j] = j;
            for (var i = 1; i <= n; i++)
            {
                var row = i * width;
                var above = row - width;
                cost[row] = i;
                for (var j = 1; j <= m; j++)
                {
                    var diagonal = cost[above + j - 1] + (units.Same(i - 1, j - 1) ? 0 : 1);
                    var deletion = cost[above + j] + 1;
                    var insertion = cost[row + j - 1] + 1;
                    cost[row + j] = Math.Min(diagonal, Math.Min(deletion, insertion));
                }
            }
            return Walk(cost, width, n, m, units);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The edits of one cheapest alignment, read back from the end of the cost matrix. Ties prefer the diagonal (match
    /// or substitution), then a deletion: the total is the same either way, and a fixed order keeps the S/D/I split
    /// reproducible.
    /// </summary>
    private static EditCounts Walk<TUnits>(ReadOnlySpan<int> cost, int width, int n, int m, TUnits units) where TUnits : IUnits, allows ref struct
    {
        int substitutions = 0, deletions = 0, insertions = 0;
        var (i, j) = (n, m);
        while (i > 0 || j > 0)
        {
            var here = cost[i * width + j];
            if (i > 0 && j > 0)
            {
                var same = units.Same(i - 1, j - 1);
                if (cost[(i - 1) * width + j - 1] + (same ? 0 : 1) == here)
                {
                    if (!same) substitutions++;
                    (i, j) = (i - 1, j - 1);
                    continue;
                }
            }
            if (i > 0 && cost[(i - 1) * width + j] + 1 == here)
            {
                deletions++;
                i--;
            }
            else
            {
                insertions++;
                j--;
            }
        }
        return new EditCounts(substitutions, deletions, insertions, n);
    }
}

/// <summary>Error counts for a whole table of transcript pairs, on every core.</summary>
public static class TranscriptErrors
{
    /// <summary>
    /// One <see cref="EditCounts"/> per row. Rows are independent, so the work is split into contiguous ranges, one
    /// per core; the result does not depend on how.
    /// </summary>
    public static EditCounts[] Count(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses, ErrorUnit unit,
        TextNormalization normalization, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(hypotheses);
        if (references.Count != hypotheses.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses for {references.Count} references", nameof(hypotheses));
        var result = new EditCounts[references.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, result.Length, Math.Max(1024, result.Length / 64)), options, range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
                result[i] = EditDistance.Count(references[i], hypotheses[i], unit, normalization);
        });
        return result;
    }
}

/// <summary>
/// A transcript table (one row per utterance, a reference and a hypothesis column) as an evaluation table: the per-row
/// errors and reference length become its loss columns, the transcripts (and the speaker) become hidden, and the
/// speaker is named as the cluster column. The one path for <c>bbounty wer</c> and the platform's speech demo.
/// </summary>
public static class EvaluationTable
{
    /// <param name="source">How messages name the table (a file name); they point at "line N" of it (a header line first).</param>
    /// <exception cref="ScoringInputException">An empty reference, text that is not UTF-8, or a loss column name already taken.</exception>
    public static (Dataset Table, EditCounts[] Counts) FromTranscripts(Dataset table, string reference, string hypothesis, string? speaker,
        ErrorUnit unit, TextNormalization normalization, string source)
    {
        var references = Texts(table, reference, source, allowEmpty: false);
        var hypotheses = Texts(table, hypothesis, source, allowEmpty: true);
        var (errorsName, sizeName) = unit == ErrorUnit.Word ? ("word_errors", "reference_words") : ("char_errors", "reference_chars");
        foreach (var taken in new[] { errorsName, sizeName })
            if (table.Schema.Find(taken) is not null)
                throw new ScoringInputException($"{source} already has a column '{taken}'; rename it first");
        var counts = TranscriptErrors.Count(references, hypotheses, unit, normalization);

        var none = new RowSet(table.RowCount);
        var columns = table.Columns.Concat([
            new NumericColumn(errorsName, counts.Select(c => (float)c.Errors).ToArray(), none),
            new NumericColumn(sizeName, counts.Select(c => (float)c.ReferenceLength).ToArray(), none)]).ToArray();
        // Transcripts are what was said: kept in the file for the organizer, never a feature of a group.
        var specs = table.Schema.Columns
            .Select(c => c.Name == reference || c.Name == hypothesis || c.Name == speaker ? c with { Role = ColumnRole.Hidden } : c)
            .Concat([new ColumnSpec(errorsName, ColumnKind.Numeric, ColumnRole.Loss), new ColumnSpec(sizeName, ColumnKind.Numeric, ColumnRole.Loss)])
            .ToArray();
        var schema = table.Schema with
        {
            Columns = specs, LossErrorsColumn = errorsName, LossSizeColumn = sizeName, ClusterColumn = speaker ?? table.Schema.ClusterColumn,
            ErrorCounting = Describe(reference, hypothesis, unit, normalization),
        };
        return (new Dataset(schema, columns), counts);
    }

    /// <summary>How the error columns were computed, one line for the data card.</summary>
    public static string Describe(string reference, string hypothesis, ErrorUnit unit, TextNormalization normalization) =>
        $"{(unit == ErrorUnit.Word ? "word" : "character")} errors (substitutions, deletions, insertions) of '{hypothesis}' against '{reference}', " +
        $"computed by the platform; transcripts compared with {normalization.Describe()}";

    private static string[] Texts(Dataset table, string name, string source, bool allowEmpty)
    {
        if (!table.TryGetColumn(name, out var column))
            throw new ScoringInputException($"{source} has no column '{name}'");
        var texts = new string[table.RowCount];
        for (var row = 0; row < texts.Length; row++)
        {
            var text = column.FormatValue(row);
            if (string.IsNullOrWhiteSpace(text) && !allowEmpty)
                throw new ScoringInputException($"{source}, line {row + 2}, column '{name}': the reference transcript is empty; an error rate needs what was said");
            if (text is not null && text.Contains('\uFFFD'))
                throw new ScoringInputException($"{source}, line {row + 2}, column '{name}': the text is not valid UTF-8; save the file as UTF-8");
            texts[row] = text ?? "";
        }
        return texts;
    }
}
