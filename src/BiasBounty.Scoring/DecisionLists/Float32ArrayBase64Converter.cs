using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>Writes a float array as base64 of its little-endian bytes: exact, compact and stable across round trips.</summary>
public sealed class Float32ArrayBase64Converter : JsonConverter<float[]>
{
    public override float[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var bytes = reader.GetBytesFromBase64();
        if (bytes.Length % sizeof(float) != 0) throw new JsonException("a float array's byte length must be a multiple of 4");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("decision lists are stored little-endian");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(MemoryMarshal.AsBytes(value.AsSpan()));
}
