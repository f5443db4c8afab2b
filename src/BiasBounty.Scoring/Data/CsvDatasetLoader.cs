using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace BiasBounty.Scoring.Data;

/// <summary>How to read a delimited text file.</summary>
/// <param name="Delimiter">Field separator; null detects tab, comma or whitespace from the first data line.</param>
/// <param name="ColumnNames">Names for a file without a header line; null means the first line is the header.</param>
/// <param name="Schema">Explicit kinds and roles; null infers kinds (a column is numeric when every present value parses as a number).</param>
/// <param name="MissingTokens">Field values that mean "missing" (after trimming).</param>
public sealed record CsvLoadOptions(
    string? Delimiter = null,
    IReadOnlyList<string>? ColumnNames = null,
    DatasetSchema? Schema = null,
    IReadOnlyCollection<string>? MissingTokens = null)
{
    public static readonly IReadOnlyCollection<string> DefaultMissingTokens = ["", "?", "NA"];

    /// <summary>Options from a schema (<c>*.schema.json</c>) that describes a headerless file.</summary>
    public static CsvLoadOptions ForHeaderlessSchema(DatasetSchema schema) =>
        new(ColumnNames: schema.Columns.Select(c => c.Name).ToArray(), Schema: schema);
}

/// <summary>
/// Loads CSV/TSV/whitespace-separated text, plain or gzip, into a <see cref="Dataset"/>. Copes with the real files the
/// project uses: UCI Adult's <c>", "</c> separators, <c>?</c> for missing and <c>adult.test</c>'s junk first line
/// (lines starting with <c>|</c> are comments); ACS's <c>62.0</c> floats; German credit's trailing spaces.
/// Errors name the line and column but never echo a value, because the file may be a hidden holdout.
/// </summary>
public static class CsvDatasetLoader
{
    /// <summary>Largest file accepted, uncompressed, so an upload cannot exhaust memory.</summary>
    public const long MaxUncompressedBytes = 2L * 1024 * 1024 * 1024;

    public static Dataset Load(string path, CsvLoadOptions? options = null)
    {
        if (!File.Exists(path)) throw new ScoringInputException($"file not found: {path}");
        options ??= OptionsFromSidecarSchema(path);
        return Load(File.ReadAllBytes(path), options);
    }

    /// <summary>Loads from raw file bytes (gzip is detected by its magic number).</summary>
    public static Dataset Load(ReadOnlyMemory<byte> content, CsvLoadOptions? options = null)
    {
        options ??= new CsvLoadOptions();
        var text = Decode(content);
        var missingTokens = new HashSet<string>(options.MissingTokens ?? CsvLoadOptions.DefaultMissingTokens, StringComparer.Ordinal);
        var delimiter = options.Delimiter ?? DetectDelimiter(text);
        var rows = ReadRows(text, delimiter, options.ColumnNames, out var header);
        if (options.Schema is { } schema)
        {
            var expected = schema.Columns.Select(c => c.Name).ToArray();
            if (!expected.SequenceEqual(header))
                throw new DatasetFormatException(
                    $"the file's columns ({string.Join(", ", header)}) do not match the schema's ({string.Join(", ", expected)})", 1);
        }
        else
        {
            schema = new DatasetSchema(header.Select((name, c) => new ColumnSpec(name, InferKind(rows, c, missingTokens))).ToArray());
        }
        var columns = new Column[header.Length];
        for (var c = 0; c < header.Length; c++)
            columns[c] = BuildColumn(schema.Columns[c], rows, c, missingTokens);
        return new Dataset(schema, columns);
    }

    /// <summary>Reads <c>FILE.schema.json</c> beside <paramref name="path"/> (or beside its un-gzipped name) when there is one.</summary>
    public static CsvLoadOptions? OptionsFromSidecarSchema(string path)
    {
        foreach (var candidate in new[] { path + ".schema.json", SchemaFile.PathFor(path) })
        {
            if (!File.Exists(candidate)) continue;
            var sidecar = SchemaFile.Read(candidate);
            return sidecar.HasHeader ? new CsvLoadOptions(Schema: sidecar.Schema) : CsvLoadOptions.ForHeaderlessSchema(sidecar.Schema);
        }
        return null;
    }

    private static string Decode(ReadOnlyMemory<byte> content)
    {
        var span = content.Span;
        if (span.Length >= 2 && span[0] == 0x1f && span[1] == 0x8b)
        {
            try
            {
                using var input = new MemoryStream(content.ToArray(), writable: false);
                using var gzip = new GZipStream(input, CompressionMode.Decompress);
                using var output = new MemoryStream();
                var buffer = new byte[81920];
                int read;
                while ((read = gzip.Read(buffer)) > 0)
                {
                    if (output.Length + read > MaxUncompressedBytes)
                        throw new DatasetFormatException($"the file is larger than {MaxUncompressedBytes / (1024 * 1024)} MB uncompressed");
                    output.Write(buffer, 0, read);
                }
                return DecodeText(output.GetBuffer().AsSpan(0, (int)output.Length));
            }
            catch (InvalidDataException e)
            {
                throw new DatasetFormatException("the file starts like gzip but is not valid gzip data", inner: e);
            }
        }
        return DecodeText(span);
    }

    private static string DecodeText(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException e)
        {
            throw new DatasetFormatException(NotUtf8Message(bytes, e.Index), inner: e);
        }
    }

    /// <summary>Where the first byte that is not UTF-8 sits: its line, and its field counted by commas or tabs.</summary>
    private static string NotUtf8Message(ReadOnlySpan<byte> bytes, int index)
    {
        if (index < 0 || index > bytes.Length) return "the file is not UTF-8 text; save it as UTF-8";
        var before = bytes[..index];
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var inLine = before[lineStart..];
        var tabs = inLine.Count((byte)'\t') > inLine.Count((byte)',');
        var field = (tabs ? inLine.Count((byte)'\t') : inLine.Count((byte)',')) + 1;
        var where = line > 1 && HeaderName(bytes, field, tabs ? (byte)'\t' : (byte)',') is { } name ? $"column '{name}'" : $"field {field}";
        return $"line {line}, {where}: the text is not UTF-8 (another encoding such as Latin-1 or Windows-1252?); save the file as UTF-8";
    }

    /// <summary>The header line's name of a field (1-based), when the header is plain UTF-8 without quotes; else null.</summary>
    private static string? HeaderName(ReadOnlySpan<byte> bytes, int field, byte delimiter)
    {
        var end = bytes.IndexOf((byte)'\n');
        var header = end < 0 ? bytes : bytes[..end];
        if (header.Contains((byte)'"') || !System.Text.Unicode.Utf8.IsValid(header)) return null;
        var names = Encoding.UTF8.GetString(header).TrimStart('\uFEFF').TrimEnd('\r').Split((char)delimiter);
        return field <= names.Length && names[field - 1].Trim() is { Length: > 0 } name ? name : null;
    }

    private static string DetectDelimiter(string text)
    {
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '|') continue;
            if (line.Contains('\t')) return "\t";
            if (line.Contains(',')) return ",";
            if (line.Contains(' ')) return " ";
            return ",";
        }
        throw new DatasetFormatException("the file has no data");
    }

    private static List<(long Line, string[] Fields)> ReadRows(string text, string delimiter, IReadOnlyList<string>? columnNames, out string[] header)
    {
        var whitespace = delimiter == " ";
        var options = new CsvReaderOptions
        {
            Separator = delimiter[0],
            HasHeader = false,
            TrimWhitespace = true,
            SkipEmptyLines = true,
            CommentPrefix = '|', // UCI comment lines, e.g. adult.test's first line
            Mode = whitespace ? CsvMode.NoEscape : CsvMode.Rfc4180,
            PoolStrings = true,
            TrackLineNumbers = true,
            IncludeValuesInExceptions = false, // the file may be a hidden holdout
        };
        var rows = new List<(long, string[])>();
        header = columnNames?.ToArray() ?? [];
        var haveHeader = columnNames is not null;
        using var reader = CsvReader.FromText(text, options);
        try
        {
            while (reader.Read())
            {
                var fields = new string[reader.FieldCount];
                for (var i = 0; i < fields.Length; i++) fields[i] = reader.GetString(i);
                if (whitespace) fields = fields.Where(f => f.Length > 0).ToArray(); // runs of spaces and trailing spaces
                if (fields.All(f => f.Length == 0)) continue;
                long line = reader.LineNumber;
                if (!haveHeader)
                {
                    header = fields;
                    CheckHeader(header, line);
                    haveHeader = true;
                    continue;
                }
                if (fields.Length != header.Length)
                    throw new DatasetFormatException($"expected {header.Length} fields, found {fields.Length}", line);
                rows.Add((line, fields));
            }
        }
        catch (CsvFormatException e)
        {
            throw new DatasetFormatException("the file is not valid delimited text (check quoting)", e.LineNumber > 0 ? e.LineNumber : null, inner: e);
        }
        if (!haveHeader) throw new DatasetFormatException("the file has no header line and no rows");
        if (rows.Count == 0) throw new DatasetFormatException("the file has a header but no data rows");
        return rows;
    }

    private static void CheckHeader(string[] header, long line)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0) throw new DatasetFormatException($"column {i + 1} of the header has no name", line);
            if (!seen.Add(header[i])) throw new DatasetFormatException($"the header names column '{header[i]}' twice", line);
        }
    }

    private static ColumnKind InferKind(List<(long Line, string[] Fields)> rows, int c, HashSet<string> missing)
    {
        foreach (var (_, fields) in rows)
        {
            var value = fields[c];
            if (!missing.Contains(value) && !TryParseNumber(value, out _)) return ColumnKind.Categorical;
        }
        return ColumnKind.Numeric;
    }

    private static Column BuildColumn(ColumnSpec spec, List<(long Line, string[] Fields)> rows, int c, HashSet<string> missingTokens)
    {
        if (spec.Kind == ColumnKind.Numeric)
        {
            var values = new float[rows.Count];
            var missing = new RowSet(rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                var value = rows[r].Fields[c];
                if (missingTokens.Contains(value)) { values[r] = float.NaN; missing.Add(r); }
                else if (TryParseNumber(value, out var number)) values[r] = number;
                else throw new DatasetFormatException("expected a number", rows[r].Line, spec.Name);
            }
            return new NumericColumn(spec.Name, values, missing);
        }
        var text = new string?[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var value = rows[r].Fields[c];
            text[r] = missingTokens.Contains(value) ? null : value;
        }
        return CategoricalColumn.FromValues(spec.Name, text);
    }

    /// <summary>Parses a finite number written in invariant culture (<c>62</c>, <c>62.0</c>, <c>-1e3</c>).</summary>
    public static bool TryParseNumber(string text, out float value) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
}

/// <summary>The sidecar <c>*.schema.json</c>: a schema plus whether the file has a header line.</summary>
public sealed record SchemaFile(DatasetSchema Schema, bool HasHeader = true)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The sidecar path of a data file: <c>FILE.schema.json</c>, with a trailing <c>.gz</c> dropped.</summary>
    public static string PathFor(string dataPath) =>
        (dataPath.EndsWith(".gz", StringComparison.Ordinal) ? dataPath[..^3] : dataPath) + ".schema.json";

    /// <summary>Writes the sidecar of a data file that has a header line; returns its path.</summary>
    public static string WriteBeside(string dataPath, DatasetSchema schema)
    {
        var path = PathFor(dataPath);
        File.WriteAllText(path, JsonSerializer.Serialize(new SchemaFile(schema), Json));
        return path;
    }

    public static SchemaFile Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SchemaFile>(File.ReadAllText(path), Json)
                ?? throw new ScoringInputException($"{path}: empty schema file");
        }
        catch (JsonException e)
        {
            throw new ScoringInputException($"{path}: not a valid schema file ({e.Message})", e);
        }
    }
}
