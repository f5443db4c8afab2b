using Google.Protobuf;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>
/// Reads an ONNX model at the level of protobuf fields (onnx.proto's field numbers) and rewrites its graph with every
/// value and node name prefixed, so that several models can live in one graph. Unknown fields are copied as they are.
/// </summary>
internal static class OnnxInliner
{
    /// <summary>One graph input or output: its name, element type and dimensions (null = symbolic).</summary>
    public sealed record ValueInfo(string Name, int ElementType, IReadOnlyList<long?> Dims);

    /// <summary>A model ready to be merged: renamed nodes and initializers, its inputs and outputs, its imports.</summary>
    public sealed record InlinedModel(
        IReadOnlyList<byte[]> Nodes, IReadOnlyList<byte[]> Initializers, IReadOnlyList<ValueInfo> Inputs, IReadOnlyList<ValueInfo> Outputs,
        IReadOnlyDictionary<string, int> Opsets, long IrVersion, IReadOnlyDictionary<string, string> Metadata);

    private readonly record struct Field(int Number, WireFormat.WireType Type, ulong Scalar, ByteString? Bytes);

    /// <summary>Parses <paramref name="model"/> and renames every name <c>n</c> of its graph to <c>prefix + n</c>.</summary>
    /// <exception cref="ModelValidationException">The model uses something export does not support.</exception>
    public static InlinedModel Inline(ReadOnlySpan<byte> model, string prefix)
    {
        ByteString? graph = null;
        long ir = 0;
        var opsets = new Dictionary<string, int>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Fields(ByteString.CopyFrom(model)))
        {
            switch (f.Number)
            {
                case 1: ir = (long)f.Scalar; break;
                case 7: graph = f.Bytes; break;
                case 8:
                {
                    string domain = "";
                    long version = 0;
                    foreach (var o in Fields(f.Bytes!))
                        if (o.Number == 1) domain = o.Bytes!.ToStringUtf8();
                        else if (o.Number == 2) version = (long)o.Scalar;
                    if (domain == "ai.onnx") domain = "";
                    if (domain is not ("" or OnnxGraphBuilder.MlDomain))
                        throw new ModelValidationException($"the model imports the operator domain '{domain}'; only ai.onnx and ai.onnx.ml can be exported");
                    opsets[domain] = (int)version;
                    break;
                }
                case 14:
                {
                    string key = "", value = "";
                    foreach (var e in Fields(f.Bytes!))
                        if (e.Number == 1) key = e.Bytes!.ToStringUtf8();
                        else if (e.Number == 2) value = e.Bytes!.ToStringUtf8();
                    metadata[key] = value;
                    break;
                }
                case 25: throw new ModelValidationException("the model defines local functions, which export does not inline");
            }
        }
        if (graph is null) throw new ModelValidationException("the model has no graph");

        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        var inputs = new List<ValueInfo>();
        var outputs = new List<ValueInfo>();
        var initializerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in Fields(graph))
        {
            switch (f.Number)
            {
                case 1: nodes.Add(RenameNode(f.Bytes!, prefix)); break;
                case 5:
                    initializers.Add(RenameTensor(f.Bytes!, prefix, out var name));
                    initializerNames.Add(name);
                    break;
                case 11: inputs.Add(ReadValueInfo(f.Bytes!)); break;
                case 12: outputs.Add(ReadValueInfo(f.Bytes!)); break;
                case 15: throw new ModelValidationException("the model has sparse initializers, which export does not inline");
            }
        }
        // Before IR 4, initializers were also listed as inputs (defaults that could be overridden): not real inputs.
        inputs.RemoveAll(i => initializerNames.Contains(prefix + i.Name));
        return new InlinedModel(nodes, initializers, inputs, outputs, opsets, ir, metadata);
    }

    private static byte[] RenameGraph(ByteString graph, string prefix)
    {
        var w = new Writer();
        foreach (var f in Fields(graph))
        {
            switch (f.Number)
            {
                case 1: w.Bytes(1, RenameNode(f.Bytes!, prefix)); break;
                case 5: w.Bytes(5, RenameTensor(f.Bytes!, prefix, out _)); break;
                case 11 or 12 or 13: w.Bytes(f.Number, RenameValueInfo(f.Bytes!, prefix)); break;
                case 10 or 14: break; // doc_string, quantization annotations: dropped
                case 15: throw new ModelValidationException("the model has sparse initializers, which export does not inline");
                default: w.Copy(f); break;
            }
        }
        return w.ToArray();
    }

    private static byte[] RenameNode(ByteString node, string prefix)
    {
        // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7.
        var w = new Writer();
        foreach (var f in Fields(node))
        {
            switch (f.Number)
            {
                case 1 or 2 or 3:
                    var name = f.Bytes!.ToStringUtf8();
                    w.Bytes(f.Number, name.Length == 0 ? [] : System.Text.Encoding.UTF8.GetBytes(prefix + name));
                    break;
                case 5: w.Bytes(5, RenameAttribute(f.Bytes!, prefix)); break;
                case 6: break;
                default: w.Copy(f); break;
            }
        }
        return w.ToArray();
    }

    private static byte[] RenameAttribute(ByteString attribute, string prefix)
    {
        // AttributeProto: g 6 and graphs 11 hold subgraphs, whose names (and outer-scope references) are renamed alike.
        var w = new Writer();
        foreach (var f in Fields(attribute))
        {
            switch (f.Number)
            {
                case 6 or 11: w.Bytes(f.Number, RenameGraph(f.Bytes!, prefix)); break;
                case 21: throw new ModelValidationException("the model's attributes refer to function attributes, which export does not inline");
                default: w.Copy(f); break;
            }
        }
        return w.ToArray();
    }

    private static byte[] RenameTensor(ByteString tensor, string prefix, out string name)
    {
        // TensorProto: name 8, data_location 14 (1 = external).
        var w = new Writer();
        name = "";
        foreach (var f in Fields(tensor))
        {
            switch (f.Number)
            {
                case 8:
                    name = prefix + f.Bytes!.ToStringUtf8();
                    w.Bytes(8, System.Text.Encoding.UTF8.GetBytes(name));
                    break;
                case 14 when f.Scalar == 1: throw new ModelValidationException("the model keeps tensors in external files, which export cannot read");
                default: w.Copy(f); break;
            }
        }
        return w.ToArray();
    }

    private static byte[] RenameValueInfo(ByteString valueInfo, string prefix)
    {
        var w = new Writer();
        foreach (var f in Fields(valueInfo))
        {
            if (f.Number == 1) w.Bytes(1, System.Text.Encoding.UTF8.GetBytes(prefix + f.Bytes!.ToStringUtf8()));
            else w.Copy(f);
        }
        return w.ToArray();
    }

    private static ValueInfo ReadValueInfo(ByteString bytes)
    {
        // ValueInfoProto: name 1, type 2. TypeProto: tensor_type 1. Tensor: elem_type 1, shape 2. Shape: dim 1. Dim: value 1, param 2.
        var name = "";
        var type = 0;
        var dims = new List<long?>();
        foreach (var f in Fields(bytes))
        {
            if (f.Number == 1) name = f.Bytes!.ToStringUtf8();
            else if (f.Number == 2)
                foreach (var t in Fields(f.Bytes!))
                {
                    if (t.Number != 1) continue;
                    foreach (var tensor in Fields(t.Bytes!))
                    {
                        if (tensor.Number == 1) type = (int)tensor.Scalar;
                        else if (tensor.Number == 2)
                            foreach (var dim in Fields(tensor.Bytes!))
                            {
                                if (dim.Number != 1) continue;
                                long? value = null;
                                foreach (var d in Fields(dim.Bytes!))
                                    if (d.Number == 1) value = (long)d.Scalar;
                                dims.Add(value);
                            }
                    }
                }
        }
        return new ValueInfo(name, type, dims);
    }

    private static List<Field> Fields(ByteString bytes)
    {
        var result = new List<Field>();
        var input = new CodedInputStream(bytes.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            result.Add(type switch
            {
                WireFormat.WireType.Varint => new Field(number, type, input.ReadUInt64(), null),
                WireFormat.WireType.Fixed64 => new Field(number, type, input.ReadFixed64(), null),
                WireFormat.WireType.Fixed32 => new Field(number, type, input.ReadFixed32(), null),
                WireFormat.WireType.LengthDelimited => new Field(number, type, 0, input.ReadBytes()),
                _ => throw new ModelValidationException("the model is not a valid ONNX protobuf (group wire types)"),
            });
        }
        return result;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();
        private readonly CodedOutputStream _out;

        public Writer() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

        public void Bytes(int field, byte[] value)
        {
            _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _out.WriteBytes(ByteString.CopyFrom(value));
        }

        public void Copy(Field f)
        {
            _out.WriteTag(f.Number, f.Type);
            switch (f.Type)
            {
                case WireFormat.WireType.Varint: _out.WriteUInt64(f.Scalar); break;
                case WireFormat.WireType.Fixed64: _out.WriteFixed64(f.Scalar); break;
                case WireFormat.WireType.Fixed32: _out.WriteFixed32((uint)f.Scalar); break;
                default: _out.WriteBytes(f.Bytes!); break;
            }
        }

        public byte[] ToArray()
        {
            _out.Flush();
            return _buffer.ToArray();
        }
    }
}
