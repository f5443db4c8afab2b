using Google.Protobuf;

namespace BiasBounty.Scoring.Models;

/// <summary>Element types of ONNX tensors (values of <c>TensorProto.DataType</c> in onnx.proto).</summary>
public enum OnnxElementType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>UTF-8 string.</summary>
    String = 8,

    /// <summary>Boolean.</summary>
    Bool = 9,

    /// <summary>64-bit float.</summary>
    Double = 11,
}

/// <summary>One attribute of an ONNX node (<c>AttributeProto</c>); build with the static factories.</summary>
public sealed class OnnxAttribute
{
    // AttributeProto.AttributeType values from onnx.proto.
    private const int FloatType = 1, IntType = 2, StringType = 3, TensorType = 4, GraphType = 5, FloatsType = 6, IntsType = 7, StringsType = 8;

    private readonly int _type;
    private readonly object _value;

    private OnnxAttribute(string name, int type, object value) => (Name, _type, _value) = (name, type, value);

    /// <summary>The attribute's name, as the operator's specification spells it.</summary>
    public string Name { get; }

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, FloatType, value);

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, IntType, value);

    /// <summary>A string attribute.</summary>
    public static OnnxAttribute String(string name, string value) => new(name, StringType, value);

    /// <summary>A list-of-floats attribute.</summary>
    public static OnnxAttribute Floats(string name, IReadOnlyList<float> values) => new(name, FloatsType, values.ToArray());

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, IReadOnlyList<long> values) => new(name, IntsType, values.ToArray());

    /// <summary>A list-of-strings attribute.</summary>
    public static OnnxAttribute Strings(string name, IReadOnlyList<string> values) => new(name, StringsType, values.ToArray());

    /// <summary>A tensor-valued attribute (e.g. <c>Constant</c>'s <c>value</c>).</summary>
    public static OnnxAttribute Tensor(string name, OnnxTensor value) => new(name, TensorType, value);

    /// <summary>A graph-valued attribute (the body of <c>If</c>, <c>Loop</c> or <c>Scan</c>).</summary>
    public static OnnxAttribute Graph(string name, OnnxGraphBuilder value) => new(name, GraphType, value);

    internal byte[] Serialize()
    {
        // Field numbers of AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, type 20.
        // onnx.proto is proto2, so the repeated numeric fields are written unpacked (parsers accept either form).
        var w = new ProtoWriter();
        w.String(1, Name);
        switch (_value)
        {
            case float f: w.Float(2, f); break;
            case long i: w.Varint(3, i); break;
            case string s: w.String(4, s); break;
            case OnnxTensor t: w.Message(5, t.Serialize()); break;
            case OnnxGraphBuilder g: w.Message(6, g.SerializeGraph()); break;
            case float[] fs: foreach (var f in fs) w.Float(7, f); break;
            case long[] ints: foreach (var i in ints) w.Varint(8, i); break;
            case string[] ss: foreach (var s in ss) w.String(9, s); break;
        }
        w.Varint(20, _type);
        return w.ToArray();
    }
}

/// <summary>A constant tensor (<c>TensorProto</c>): an initializer or a tensor attribute.</summary>
public sealed class OnnxTensor
{
    private OnnxTensor(string name, OnnxElementType type, long[] dims, Array values) => (Name, ElementType, Dims, Values) = (name, type, dims, values);

    /// <summary>The tensor's name (an initializer's name is how nodes refer to it).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public IReadOnlyList<long> Dims { get; }

    internal Array Values { get; }

    /// <summary>A float tensor of the given shape (row-major values).</summary>
    /// <exception cref="ArgumentException">The shape does not hold exactly <paramref name="values"/>.Length values.</exception>
    public static OnnxTensor Of(string name, float[] values, params long[] dims) => new(name, OnnxElementType.Float, Check(dims, values.Length), values);

    /// <summary>An int64 tensor of the given shape (row-major values).</summary>
    /// <exception cref="ArgumentException">The shape does not hold exactly <paramref name="values"/>.Length values.</exception>
    public static OnnxTensor Of(string name, long[] values, params long[] dims) => new(name, OnnxElementType.Int64, Check(dims, values.Length), values);

    private static long[] Check(long[] dims, int count)
    {
        var product = dims.Aggregate(1L, (a, b) => a * b);
        if (product != count) throw new ArgumentException($"dims ({string.Join(", ", dims)}) hold {product} values, got {count}", nameof(dims));
        return dims;
    }

    internal byte[] Serialize()
    {
        // TensorProto: dims 1 (proto2, unpacked), data_type 2, float_data 4 (packed), int64_data 7 (packed), name 8.
        var w = new ProtoWriter();
        foreach (var d in Dims) w.Varint(1, d);
        w.Varint(2, (int)ElementType);
        switch (Values)
        {
            case float[] f: w.PackedFloats(4, f); break;
            case long[] l: w.PackedInt64s(7, l); break;
        }
        w.String(8, Name);
        return w.ToArray();
    }
}

/// <summary>
/// Builds a small ONNX model (<c>ModelProto</c>) and writes its protobuf bytes directly, field by field, with the
/// field numbers of the public onnx.proto. Hand-built because Microsoft.ML.OnnxConverter is not available here and the
/// graphs the platform emits (linear models, tree ensembles, thresholds) are a handful of nodes; no generated code or
/// protoc is needed. Not thread-safe.
/// </summary>
public sealed class OnnxGraphBuilder(string name = "biasbounty")
{
    /// <summary>Domain of the traditional-ML operators (<c>LinearClassifier</c>, <c>TreeEnsembleClassifier</c>, …).</summary>
    public const string MlDomain = "ai.onnx.ml";

    /// <summary>Version of the default (ai.onnx) operator set the graphs use.</summary>
    public const int OnnxOpset = 17;

    /// <summary>Version of the ai.onnx.ml operator set the graphs use.</summary>
    public const int MlOpset = 3;

    /// <summary>IR version written to the model (IR 8 is the one that goes with opset 17).</summary>
    public const int IrVersion = 8;

    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];
    private readonly List<(string Key, string Value)> _metadata = [];

    private readonly Dictionary<string, int> _opsets = new(StringComparer.Ordinal) { [""] = OnnxOpset, [MlDomain] = MlOpset };
    private int _nextId;

    /// <summary>Declares a graph input. A dimension of -1 is symbolic (named <c>N</c> for the first, <c>d1</c>, … after).</summary>
    public OnnxGraphBuilder Input(string valueName, OnnxElementType type, params long[] shape)
    {
        _inputs.Add(ValueInfo(valueName, type, shape));
        return this;
    }

    /// <summary>Declares a graph output (same shape convention as <see cref="Input"/>).</summary>
    public OnnxGraphBuilder Output(string valueName, OnnxElementType type, params long[] shape)
    {
        _outputs.Add(ValueInfo(valueName, type, shape));
        return this;
    }

    /// <summary>Adds a constant tensor and returns its name for use as a node input.</summary>
    public string Initializer(OnnxTensor tensor)
    {
        _initializers.Add(tensor.Serialize());
        return tensor.Name;
    }

    /// <summary>Adds a float constant under a fresh name and returns the name.</summary>
    public string Constant(float[] values, params long[] dims) => Initializer(OnnxTensor.Of(FreshName("const"), values, dims));

    /// <summary>Adds an int64 constant under a fresh name and returns the name.</summary>
    public string Constant(long[] values, params long[] dims) => Initializer(OnnxTensor.Of(FreshName("const"), values, dims));

    /// <summary>Imports an operator set (for domains other than ai.onnx and ai.onnx.ml, e.g. in tests of refusal).</summary>
    public OnnxGraphBuilder Opset(string domain, int version)
    {
        _opsets[domain] = version;
        return this;
    }

    /// <summary>Adds a node with explicit output names.</summary>
    public OnnxGraphBuilder Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string domain = "", params OnnxAttribute[] attributes)
    {
        // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
        var w = new ProtoWriter();
        foreach (var i in inputs) w.String(1, i);
        foreach (var o in outputs) w.String(2, o);
        w.String(3, FreshName(opType));
        w.String(4, opType);
        foreach (var a in attributes) w.Message(5, a.Serialize());
        if (domain.Length > 0) w.String(7, domain);
        _nodes.Add(w.ToArray());
        return this;
    }

    /// <summary>Adds a single-output node whose output gets a fresh name, and returns that name.</summary>
    public string Apply(string opType, IReadOnlyList<string> inputs, string domain = "", params OnnxAttribute[] attributes)
    {
        var output = FreshName(opType.ToLowerInvariant());
        Node(opType, inputs, [output], domain, attributes);
        return output;
    }

    /// <summary>Adds an already serialised <c>NodeProto</c> (a node of another model, renamed by the caller).</summary>
    internal OnnxGraphBuilder RawNode(byte[] node)
    {
        _nodes.Add(node);
        return this;
    }

    /// <summary>Adds an already serialised <c>TensorProto</c> as an initializer.</summary>
    internal OnnxGraphBuilder RawInitializer(byte[] tensor)
    {
        _initializers.Add(tensor);
        return this;
    }

    /// <summary>IR version written by <see cref="ToModelBytes"/>; at least <see cref="IrVersion"/> (raised for inlined models).</summary>
    internal long IrVersionWritten { get; set; } = IrVersion;

    /// <summary>Adds a ModelProto metadata entry (metadata_props), readable through ONNX Runtime's custom metadata.</summary>
    public OnnxGraphBuilder Metadata(string key, string value)
    {
        _metadata.Add((key, value));
        return this;
    }

    /// <summary>The model's protobuf bytes.</summary>
    public byte[] ToModelBytes(string producer = "BiasBounty")
    {
        // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (OperatorSetIdProto: domain 1, version 2).
        var w = new ProtoWriter();
        w.Varint(1, IrVersionWritten);
        w.String(2, producer);
        w.Message(7, SerializeGraph());
        foreach (var (domain, version) in _opsets)
        {
            var opset = new ProtoWriter();
            if (domain.Length > 0) opset.String(1, domain);
            opset.Varint(2, version);
            w.Message(8, opset.ToArray());
        }
        // metadata_props 14: StringStringEntryProto (key 1, value 2).
        foreach (var (key, value) in _metadata) w.Message(14, new ProtoWriter().String(1, key).String(2, value).ToArray());
        return w.ToArray();
    }

    internal byte[] SerializeGraph()
    {
        // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
        var w = new ProtoWriter();
        foreach (var n in _nodes) w.Message(1, n);
        w.String(2, name);
        foreach (var t in _initializers) w.Message(5, t);
        foreach (var i in _inputs) w.Message(11, i);
        foreach (var o in _outputs) w.Message(12, o);
        return w.ToArray();
    }

    private string FreshName(string prefix) => $"{prefix}_{_nextId++}";

    private static byte[] ValueInfo(string valueName, OnnxElementType type, long[] shape)
    {
        // ValueInfoProto: name 1, type 2. TypeProto: tensor_type 1. TypeProto.Tensor: elem_type 1, shape 2.
        // TensorShapeProto: dim 1. Dimension: dim_value 1, dim_param 2.
        var tensorShape = new ProtoWriter();
        for (var i = 0; i < shape.Length; i++)
        {
            var dim = new ProtoWriter();
            if (shape[i] >= 0) dim.Varint(1, shape[i]);
            else dim.String(2, i == 0 ? "N" : $"d{i}");
            tensorShape.Message(1, dim.ToArray());
        }
        var tensorType = new ProtoWriter().Varint(1, (int)type).Message(2, tensorShape.ToArray());
        var typeProto = new ProtoWriter().Message(1, tensorType.ToArray());
        return new ProtoWriter().String(1, valueName).Message(2, typeProto.ToArray()).ToArray();
    }
}

/// <summary>Writes one protobuf message with <see cref="CodedOutputStream"/>; nested messages are written as finished byte arrays.</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoWriter Varint(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    public ProtoWriter String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    public ProtoWriter Message(int field, byte[] message)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(ByteString.CopyFrom(message));
        return this;
    }

    public ProtoWriter PackedFloats(int field, float[] values)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteLength(values.Length * sizeof(float));
        foreach (var v in values) _out.WriteFloat(v);
        return this;
    }

    public ProtoWriter PackedInt64s(int field, long[] values)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteLength(values.Sum(CodedOutputStream.ComputeInt64Size));
        foreach (var v in values) _out.WriteInt64(v);
        return this;
    }

    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
