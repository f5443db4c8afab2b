using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// The pipe protocol between a parent and its model host (<see cref="ModelHost"/>): one message is a kind byte and a
/// little-endian 32-bit payload length, then the payload. The parent writes to the host's stdin, the host answers on
/// its stdout, one answer per request. Every length read is checked against a bound before anything is allocated, so
/// garbage on the pipe is an error, never a huge allocation.
/// </summary>
internal static class ModelHostProtocol
{
    /// <summary>Changes whenever a message's layout does.</summary>
    public const int Version = 2;

    /// <summary>Largest payload either side accepts: a 50 MB model plus its settings, or a batch of 16,384 rows of text.</summary>
    public const int MaxPayloadBytes = 256 * 1024 * 1024;

    /// <summary>Largest text (a message, a column or category name) either side accepts.</summary>
    public const int MaxTextBytes = 1024 * 1024;

    // Parent → host.
    public const byte Load = (byte)'L';
    public const byte Columns = (byte)'C';
    public const byte Smoke = (byte)'S';
    public const byte Predict = (byte)'P';
    public const byte Unload = (byte)'U';

    // Host → parent.
    public const byte Ready = (byte)'R';
    public const byte Passed = (byte)'K';
    public const byte Values = (byte)'V';
    public const byte Refused = (byte)'E';

    /// <summary>
    /// What the host needs to load a model: everything <see cref="OnnxModel.Load"/> takes but the bytes (of the schema,
    /// only its columns), the cap of its arena and its threads. Written field by field: JSON's first use costs a host
    /// more than a tenth of a second.
    /// </summary>
    public sealed record LoadSettings(
        DatasetSchema Schema, LabelDomain? Label, ModelRole Role, ModelLimits Limits, FeatureCoding? Coding, long ArenaBytes, int Threads)
    {
        public void Write(Writer writer)
        {
            writer.Int(Schema.Columns.Count);
            foreach (var column in Schema.Columns) writer.Text(column.Name).Byte((byte)column.Kind).Byte((byte)column.Role);
            writer.Byte((byte)Role).Byte(Label is null ? (byte)0 : (byte)1);
            if (Label is { } label) writer.Text(label.Column).Byte((byte)label.Task).OptionalText(label.PositiveClass).OptionalText(label.NegativeClass);
            writer.Long(Limits.MaxModelBytes).Long(Limits.InferenceTimeout.Ticks).Int(Limits.BatchRows).Long(Limits.MaxSmokeBytes)
                .Long(Limits.MaxBatchBytes).Long(ArenaBytes).Int(Threads);
            writer.Byte(Coding is null ? (byte)0 : (byte)1);
            if (Coding is null) return;
            writer.Int(Coding.Categories.Count);
            foreach (var (name, categories) in Coding.Categories)
            {
                writer.Text(name).Int(categories.Count);
                foreach (var category in categories) writer.Text(category);
            }
        }

        public static LoadSettings Read(Reader reader)
        {
            var columns = new ColumnSpec[reader.Count(100_000)];
            for (var i = 0; i < columns.Length; i++) columns[i] = new ColumnSpec(reader.Text(), (ColumnKind)reader.Byte(), (ColumnRole)reader.Byte());
            var schema = new DatasetSchema(columns);
            var role = (ModelRole)reader.Byte();
            var label = reader.Byte() == 0 ? null
                : new LabelDomain(reader.Text(), (TaskKind)reader.Byte(), reader.OptionalText(), reader.OptionalText());
            var limits = new ModelLimits(reader.Long(), TimeSpan.FromTicks(reader.Long()), reader.Int(), 1, reader.Long(), reader.Long());
            var (arena, threads) = (reader.Long(), reader.Int());
            FeatureCoding? coding = null;
            if (reader.Byte() != 0)
            {
                var categories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                for (var n = reader.Count(100_000); n > 0; n--)
                {
                    var name = reader.Text();
                    var list = new string[reader.Count(10_000_000)];
                    for (var c = 0; c < list.Length; c++) list[c] = reader.Text();
                    categories[name] = list;
                }
                coding = new FeatureCoding(schema.Features, categories);
            }
            return new LoadSettings(schema, label, role, limits, coding, arena, threads);
        }
    }

    public static void Write(Stream stream, byte kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Flush();
    }

    /// <summary>Reads one message; null at the end of the stream before a message starts.</summary>
    /// <exception cref="InvalidDataException">A truncated message or a length out of bounds.</exception>
    public static (byte Kind, byte[] Payload)? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[5];
        var got = ReadAtMost(stream, header);
        if (got == 0) return null;
        if (got < header.Length) throw new InvalidDataException("the pipe closed inside a message");
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (length is < 0 or > MaxPayloadBytes) throw new InvalidDataException("a message length out of bounds");
        var payload = GC.AllocateUninitializedArray<byte>(length);
        if (ReadAtMost(stream, payload) < length) throw new InvalidDataException("the pipe closed inside a message");
        return (header[0], payload);
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Builds a payload.</summary>
    public sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public Writer Int(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            _buffer.Write(bytes);
            return this;
        }

        public Writer Long(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            _buffer.Write(bytes);
            return this;
        }

        public Writer OptionalText(string? value) => value is null ? Byte(0) : Byte(1).Text(value);

        public Writer Byte(byte value)
        {
            _buffer.WriteByte(value);
            return this;
        }

        public Writer Text(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Int(bytes.Length);
            _buffer.Write(bytes);
            return this;
        }

        public Writer Bytes(ReadOnlySpan<byte> value)
        {
            Int(value.Length);
            _buffer.Write(value);
            return this;
        }

        /// <summary>Values without a count: the reader knows how many from the message.</summary>
        public Writer Raw<T>(ReadOnlySpan<T> values) where T : unmanaged
        {
            _buffer.Write(MemoryMarshal.AsBytes(values));
            return this;
        }

        public ReadOnlySpan<byte> Payload => _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);

        public void Reset() => _buffer.SetLength(0);
    }

    /// <summary>Reads a payload; any read past its end or over a bound is <see cref="InvalidDataException"/>.</summary>
    public sealed class Reader(byte[] payload)
    {
        private int _offset;

        public bool AtEnd => _offset == payload.Length;

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public string? OptionalText() => Byte() == 0 ? null : Text();

        public int Count(int max)
        {
            var value = Int();
            if (value < 0 || value > max) throw new InvalidDataException("a count out of bounds");
            return value;
        }

        public byte Byte() => Take(1)[0];

        public string Text() => Encoding.UTF8.GetString(Take(Count(MaxTextBytes)));

        public ReadOnlySpan<byte> Bytes() => Take(Count(MaxPayloadBytes));

        public T[] Raw<T>(int count) where T : unmanaged
        {
            var bytes = Take(checked(count * Marshal.SizeOf<T>()));
            return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || length > payload.Length - _offset) throw new InvalidDataException("a message shorter than its content");
            var span = payload.AsSpan(_offset, length);
            _offset += length;
            return span;
        }
    }

}
