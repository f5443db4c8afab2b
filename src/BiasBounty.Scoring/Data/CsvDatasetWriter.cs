using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace BiasBounty.Scoring.Data;

/// <summary>Writes a <see cref="Dataset"/> as CSV that <see cref="CsvDatasetLoader"/> reads back unchanged.</summary>
public static class CsvDatasetWriter
{
    /// <summary>Writes a dataset as CSV (gzip when the name ends in .gz); text values are quoted when they need it.</summary>
    public static void Write(Dataset data, string path)
    {
        using var file = File.Create(path);
        Write(data, file, gzip: path.EndsWith(".gz", StringComparison.Ordinal));
    }

    /// <summary>The CSV as bytes (gzip-compressed when <paramref name="gzip"/>); a header line, then one line per row.</summary>
    public static byte[] ToBytes(Dataset data, bool gzip = true)
    {
        using var buffer = new MemoryStream();
        Write(data, buffer, gzip);
        return buffer.ToArray();
    }

    /// <summary>Writes the CSV to <paramref name="output"/>, which is left open. Missing values are empty fields.</summary>
    public static void Write(Dataset data, Stream output, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(data);
        using Stream stream = gzip ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true) : new NonClosing(output);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
        writer.Write(string.Join(",", data.Columns.Select(c => Quote(c.Name))));
        writer.Write('\n');
        var line = new StringBuilder();
        for (var row = 0; row < data.RowCount; row++)
        {
            line.Clear();
            for (var c = 0; c < data.Columns.Count; c++)
            {
                if (c > 0) line.Append(',');
                var column = data.Columns[c];
                if (column is NumericColumn numeric)
                {
                    if (!float.IsNaN(numeric.Values[row])) line.Append(numeric.Values[row].ToString("R", CultureInfo.InvariantCulture));
                }
                else if (column.FormatValue(row) is { } text)
                {
                    line.Append(Quote(text));
                }
            }
            writer.Write(line);
            writer.Write('\n');
        }
    }

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 || text.Length == 0 || text != text.Trim() ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    /// <summary>Lets the writer flush and dispose without closing the caller's stream.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
