using Google.Protobuf;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Reads the parts of an untrusted ONNX file that must be checked before ONNX Runtime sees it: every node's operator
/// domain (in the main graph, in subgraphs and in model-local functions), tensors that point at external files, and
/// the number of graph inputs and outputs. Parses with <see cref="CodedInputStream"/> using onnx.proto's field numbers.
/// </summary>
internal static class OnnxModelInspector
{
    /// <summary>The operator domains a submission may use: standard ONNX ("" and its alias ai.onnx) and ONNX-ML.</summary>
    public static readonly IReadOnlySet<string> AllowedDomains = new HashSet<string>(StringComparer.Ordinal) { "", "ai.onnx", "ai.onnx.ml" };

    /// <summary>The newest ai.onnx opset the bundled ONNX Runtime (1.31) runs.</summary>
    public const int MaxOnnxOpset = 26;

    /// <summary>The newest ai.onnx.ml opset the bundled ONNX Runtime runs.</summary>
    public const int MaxMlOpset = 5;

    /// <summary>The newest ONNX IR version the bundled ONNX Runtime reads.</summary>
    public const long MaxIrVersion = 13;

    /// <summary>How messages name the runtime whose limits these are.</summary>
    private const string Runtime = "ONNX Runtime 1.31";

    private const int MaxGraphDepth = 32;

    /// <summary>Checks the model's structure.</summary>
    /// <exception cref="ModelValidationException">The bytes are not an ONNX model, or use what the platform refuses.</exception>
    public static void Check(ReadOnlyMemory<byte> model)
    {
        var summary = new Summary();
        try
        {
            ReadModel(model.ToArray(), summary);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new ModelValidationException("the file is not a valid ONNX model: its protobuf data is damaged or truncated");
        }
        if (!summary.HasGraph)
            throw new ModelValidationException("the file is not an ONNX model: it has no graph");
        // Checked here because ONNX Runtime's own refusals quote C++ signatures.
        if (summary.IrVersion > MaxIrVersion)
            throw new ModelValidationException(
                $"the model's ONNX IR version is {summary.IrVersion}; this platform reads IR versions up to {MaxIrVersion} ({Runtime}); export with an older ONNX version");
        foreach (var (domain, version) in summary.Opsets)
        {
            var (name, max) = domain is "" or "ai.onnx" ? ("ONNX", MaxOnnxOpset) : domain == "ai.onnx.ml" ? ("ONNX-ML", MaxMlOpset) : (null, 0);
            if (name is not null && version > max)
                throw new ModelValidationException(
                    $"the model uses {name} opset {version}; this platform runs {name} opsets up to {max} ({Runtime}); export with target opset {max} or lower");
        }
        if (summary.ForeignOperator is { } op)
            throw new ModelValidationException(
                $"the model uses operator '{op.OpType}' from domain '{op.Domain}'; only the standard ONNX (ai.onnx) and ONNX-ML (ai.onnx.ml) operators are allowed");
        if (summary.ExternalData)
            throw new ModelValidationException("the model refers to external data files; embed all weights in the .onnx file");
        if (summary.Outputs == 0)
            throw new ModelValidationException("the model has no outputs; its first output must be the prediction");
        if (summary.Inputs == 0)
            throw new ModelValidationException("the model has no inputs; it must take the competition's feature columns");
    }

    private sealed class Summary
    {
        public bool HasGraph;
        public int Inputs;
        public int Outputs;
        public (string Domain, string OpType)? ForeignOperator;
        public bool ExternalData;
        public long IrVersion;
        public List<(string Domain, long Version)> Opsets = [];
    }

    private static void ReadModel(byte[] bytes, Summary summary)
    {
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (7, WireFormat.WireType.LengthDelimited): // ModelProto.graph
                    summary.HasGraph = true;
                    ReadGraph(input.ReadBytes(), summary, depth: 0);
                    break;
                case (25, WireFormat.WireType.LengthDelimited): // ModelProto.functions (FunctionProto)
                    ReadFunction(input.ReadBytes(), summary);
                    break;
                case (1, WireFormat.WireType.Varint): // ModelProto.ir_version
                    summary.IrVersion = input.ReadInt64();
                    break;
                case (8, WireFormat.WireType.LengthDelimited): // ModelProto.opset_import
                    summary.Opsets.Add(ReadOpset(input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    private static (string Domain, long Version) ReadOpset(ByteString bytes)
    {
        // OperatorSetIdProto: domain 1, version 2.
        var input = bytes.CreateCodedInput();
        var (domain, version) = ("", 0L);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited): domain = input.ReadString(); break;
                case (2, WireFormat.WireType.Varint): version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (domain, version);
    }

    private static void ReadGraph(ByteString bytes, Summary summary, int depth)
    {
        if (depth > MaxGraphDepth) throw new ModelValidationException("the model nests subgraphs too deeply");
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited): // GraphProto.node
                    ReadNode(input.ReadBytes(), summary, depth);
                    break;
                case (5, WireFormat.WireType.LengthDelimited): // GraphProto.initializer
                    ReadTensor(input.ReadBytes(), summary);
                    break;
                case (15, WireFormat.WireType.LengthDelimited): // GraphProto.sparse_initializer
                    ReadSparseTensor(input.ReadBytes(), summary);
                    break;
                case (11, WireFormat.WireType.LengthDelimited): // GraphProto.input
                    input.SkipLastField();
                    if (depth == 0) summary.Inputs++;
                    break;
                case (12, WireFormat.WireType.LengthDelimited): // GraphProto.output
                    input.SkipLastField();
                    if (depth == 0) summary.Outputs++;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    private static void ReadFunction(ByteString bytes, Summary summary)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 7 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) // FunctionProto.node
                ReadNode(input.ReadBytes(), summary, depth: 1);
            else
                input.SkipLastField();
        }
    }

    private static void ReadNode(ByteString bytes, Summary summary, int depth)
    {
        var input = bytes.CreateCodedInput();
        string domain = "", opType = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (4, WireFormat.WireType.LengthDelimited): // NodeProto.op_type
                    opType = input.ReadString();
                    break;
                case (7, WireFormat.WireType.LengthDelimited): // NodeProto.domain
                    domain = input.ReadString();
                    break;
                case (5, WireFormat.WireType.LengthDelimited): // NodeProto.attribute
                    ReadAttribute(input.ReadBytes(), summary, depth);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        if (!AllowedDomains.Contains(domain)) summary.ForeignOperator ??= (domain, opType);
    }

    private static void ReadAttribute(ByteString bytes, Summary summary, int depth)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (5 or 10, WireFormat.WireType.LengthDelimited): // AttributeProto.t, .tensors
                    ReadTensor(input.ReadBytes(), summary);
                    break;
                case (6 or 11, WireFormat.WireType.LengthDelimited): // AttributeProto.g, .graphs
                    ReadGraph(input.ReadBytes(), summary, depth + 1);
                    break;
                case (22 or 23, WireFormat.WireType.LengthDelimited): // AttributeProto.sparse_tensor, .sparse_tensors
                    ReadSparseTensor(input.ReadBytes(), summary);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    private static void ReadSparseTensor(ByteString bytes, Summary summary)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) is 1 or 2 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) // values, indices
                ReadTensor(input.ReadBytes(), summary);
            else
                input.SkipLastField();
        }
    }

    private static void ReadTensor(ByteString bytes, Summary summary)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (13, WireFormat.WireType.LengthDelimited): // TensorProto.external_data
                    summary.ExternalData = true;
                    input.SkipLastField();
                    break;
                case (14, WireFormat.WireType.Varint): // TensorProto.data_location (1 = EXTERNAL)
                    if (input.ReadEnum() == 1) summary.ExternalData = true;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }
}
