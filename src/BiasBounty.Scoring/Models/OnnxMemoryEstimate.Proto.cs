using Google.Protobuf;

namespace BiasBounty.Scoring.Models;

public sealed partial class OnnxMemoryEstimate
{
    /// <summary>
    /// The parts of onnx.proto the estimate reads, parsed with <see cref="CodedInputStream"/> by field number. Repeated
    /// numbers are accepted packed or unpacked (onnx.proto is proto2; writers differ).
    /// </summary>
    private static class Proto
    {
        /// <summary>Constant tensors with more values than this are kept as shapes only.</summary>
        public const int MaxConstantValues = 64;

        public sealed record Graph(List<Node> Nodes, List<Tensor> Initializers, List<(string Name, int Type, IReadOnlyList<long?> Dims)> Inputs,
            List<(string Name, int Type, IReadOnlyList<long?> Dims)> Outputs)
        {
            public static Graph Parse(ByteString bytes)
            {
                var graph = new Graph([], [], [], []);
                foreach (var (field, value) in Fields(bytes))
                {
                    switch (field)
                    {
                        case 1: graph.Nodes.Add(Node.Parse(value)); break;           // GraphProto.node
                        case 5: graph.Initializers.Add(Tensor.Parse(value)); break;  // GraphProto.initializer
                        case 11: graph.Inputs.Add(ValueInfo(value)); break;          // GraphProto.input
                        case 12: graph.Outputs.Add(ValueInfo(value)); break;         // GraphProto.output
                    }
                }
                return graph;
            }
        }

        public sealed record Node(string OpType, string Domain, List<string> Inputs, List<string> Outputs, List<Attribute> Attributes)
        {
            public long? Int(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Int;

            public long[]? Ints(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

            public double[]? Floats(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Floats.ToArray();

            public Tensor? Tensor(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Tensor;

            public static Node Parse(ByteString bytes)
            {
                var node = new Node("", "", [], [], []);
                string opType = "", domain = "";
                foreach (var (field, value) in Fields(bytes))
                {
                    switch (field)
                    {
                        case 1: node.Inputs.Add(value.ToStringUtf8()); break;   // NodeProto.input
                        case 2: node.Outputs.Add(value.ToStringUtf8()); break;  // NodeProto.output
                        case 4: opType = value.ToStringUtf8(); break;           // NodeProto.op_type
                        case 5: node.Attributes.Add(Attribute.Parse(value)); break;
                        case 7: domain = value.ToStringUtf8(); break;           // NodeProto.domain
                    }
                }
                return node with { OpType = opType, Domain = domain };
            }
        }

        public sealed record Attribute(string Name, long? Int, List<long> Ints, List<double> Floats, Tensor? Tensor, List<Graph> Graphs)
        {
            public static Attribute Parse(ByteString bytes)
            {
                var input = bytes.CreateCodedInput();
                string name = "";
                long? i = null;
                Tensor? tensor = null;
                List<long> ints = [];
                List<double> floats = [];
                List<Graph> graphs = [];
                uint tag;
                while ((tag = input.ReadTag()) != 0)
                {
                    // AttributeProto: name 1, f 2, i 3, t 5, g 6, floats 7, ints 8, graphs 11.
                    switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
                    {
                        case (1, WireFormat.WireType.LengthDelimited): name = input.ReadString(); break;
                        case (2, WireFormat.WireType.Fixed32): floats.Add(input.ReadFloat()); break;
                        case (3, WireFormat.WireType.Varint): i = input.ReadInt64(); break;
                        case (5, WireFormat.WireType.LengthDelimited): tensor = Tensor.Parse(input.ReadBytes()); break;
                        case (6 or 11, WireFormat.WireType.LengthDelimited): graphs.Add(Graph.Parse(input.ReadBytes())); break;
                        case (7, _): ReadFloats(input, tag, floats); break;
                        case (8, _): ReadInt64s(input, tag, ints); break;
                        default: input.SkipLastField(); break;
                    }
                }
                return new Attribute(name, i, ints, floats, tensor, graphs);
            }
        }

        public sealed record Tensor(string Name, long[] Dims, int DataType, double[]? Values)
        {
            public static Tensor Parse(ByteString bytes)
            {
                var input = bytes.CreateCodedInput();
                string name = "";
                int type = 0;
                List<long> dims = [], ints = [];
                List<double> floats = [];
                ByteString? raw = null;
                uint tag;
                while ((tag = input.ReadTag()) != 0)
                {
                    // TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8, raw_data 9, double_data 10.
                    switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
                    {
                        case (1, _): ReadInt64s(input, tag, dims); break;
                        case (2, WireFormat.WireType.Varint): type = input.ReadInt32(); break;
                        case (4, _): ReadFloats(input, tag, floats); break;
                        case (5 or 7, _): ReadInt64s(input, tag, ints); break;
                        case (8, WireFormat.WireType.LengthDelimited): name = input.ReadString(); break;
                        case (9, WireFormat.WireType.LengthDelimited): raw = input.ReadBytes(); break;
                        case (10, _): ReadRepeated(input, tag, floats, WireFormat.WireType.Fixed64, i => i.ReadDouble()); break;
                        default: input.SkipLastField(); break;
                    }
                }
                var count = dims.Aggregate(1.0, (a, d) => a * Math.Max(d, 0));
                double[]? values = null;
                if (count <= MaxConstantValues)
                {
                    if (raw is not null) values = Raw(raw.Span, type);
                    else if (ints.Count > 0) values = ints.Select(v => (double)v).ToArray();
                    else if (floats.Count > 0) values = floats.ToArray();
                    if (values is not null && values.Length != (int)count) values = null;
                }
                return new Tensor(name, dims.ToArray(), type, values);
            }

            private static double[]? Raw(ReadOnlySpan<byte> raw, int type)
            {
                var size = ElementBytes(type);
                if (type is not (1 or 6 or 7 or 11) || raw.Length % size != 0) return null;
                var values = new double[raw.Length / size];
                for (var i = 0; i < values.Length; i++)
                {
                    var at = raw.Slice(i * size, size);
                    values[i] = type switch
                    {
                        1 => BitConverter.ToSingle(at),
                        6 => BitConverter.ToInt32(at),
                        7 => BitConverter.ToInt64(at),
                        _ => BitConverter.ToDouble(at),
                    };
                }
                return values;
            }
        }

        /// <summary>ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1.</summary>
        private static (string Name, int Type, IReadOnlyList<long?> Dims) ValueInfo(ByteString bytes)
        {
            string name = "";
            int type = 0;
            var dims = new List<long?>();
            foreach (var (field, value) in Fields(bytes))
            {
                if (field == 1) name = value.ToStringUtf8();
                if (field != 2) continue;
                foreach (var (typeField, tensorType) in Fields(value))
                {
                    if (typeField != 1) continue;
                    var tensor = tensorType.CreateCodedInput();
                    uint tag;
                    while ((tag = tensor.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint) type = tensor.ReadInt32();
                        else if (WireFormat.GetTagFieldNumber(tag) == 2 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                            foreach (var (_, dim) in Fields(tensor.ReadBytes()).Where(f => f.Field == 1)) dims.Add(DimValue(dim));
                        else tensor.SkipLastField();
                    }
                }
            }
            return (name, type, dims);
        }

        private static long? DimValue(ByteString bytes)
        {
            var input = bytes.CreateCodedInput();
            uint tag;
            long? value = null;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint) value = input.ReadInt64();
                else input.SkipLastField();
            }
            return value;
        }

        /// <summary>The length-delimited fields of a message; other wire types are skipped.</summary>
        private static IEnumerable<(int Field, ByteString Value)> Fields(ByteString bytes)
        {
            var input = bytes.CreateCodedInput();
            var fields = new List<(int, ByteString)>();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) fields.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes()));
                else input.SkipLastField();
            }
            return fields;
        }

        private static void ReadInt64s(CodedInputStream input, uint tag, List<long> into) =>
            ReadRepeated(input, tag, into, WireFormat.WireType.Varint, i => i.ReadInt64());

        private static void ReadFloats(CodedInputStream input, uint tag, List<double> into) =>
            ReadRepeated(input, tag, into, WireFormat.WireType.Fixed32, i => i.ReadFloat());

        /// <summary>One element of a repeated field, or all of it when packed.</summary>
        private static void ReadRepeated<T>(CodedInputStream input, uint tag, List<T> into, WireFormat.WireType single, Func<CodedInputStream, T> read)
        {
            var wireType = WireFormat.GetTagWireType(tag);
            if (wireType == single)
            {
                into.Add(read(input));
                return;
            }
            if (wireType != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                return;
            }
            var packed = input.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd) into.Add(read(packed));
        }
    }
}
