using System.Globalization;
using Google.Protobuf;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// A dimension of a tensor as a lower bound in the batch's row count N: at least <see cref="Coef"/>·N^<see cref="Power"/>.
/// </summary>
public readonly record struct OnnxDim(double Coef, int Power)
{
    internal static readonly OnnxDim One = new(1, 0);

    /// <summary>The dimension for a batch of <paramref name="rows"/> rows.</summary>
    public double At(int rows) => Coef * Math.Pow(rows, Power);
}

/// <summary>One tensor a model computes, with its shape as lower bounds in the batch's row count.</summary>
/// <param name="Operator">The operator that produces it (e.g. Expand).</param>
/// <param name="Shape">Its dimensions.</param>
/// <param name="ElementBytes">Bytes per element (strings counted as their 32-byte header only).</param>
/// <param name="ElementName">The element type, plural, for messages ("floats").</param>
public sealed record OnnxTensorEstimate(string Operator, IReadOnlyList<OnnxDim> Shape, int ElementBytes, string ElementName)
{
    /// <summary>At least how many bytes the tensor takes for <paramref name="rows"/> rows.</summary>
    public double Bytes(int rows) => Shape.Aggregate((double)ElementBytes, (product, d) => product * d.At(rows));

    /// <summary>"Expand output of [16, 13, 2,000,000] floats".</summary>
    public string Describe(int rows) =>
        $"{Operator} output of [{string.Join(", ", Shape.Select(d => Math.Round(d.At(rows)).ToString("N0", CultureInfo.InvariantCulture)))}] {ElementName}";
}

/// <summary>
/// A static lower bound on the memory an untrusted ONNX model needs, read from its bytes before ONNX Runtime sees them
/// (ONNX Runtime folds constant subgraphs while loading, so a ConstantOfShape of a constant [2e9] would allocate at load).
/// A small shape inference walks every node, subgraphs included, with the batch's row count N as the only unknown:
/// dimensions come from graph inputs (a symbolic first dimension is N), initializers and Constant nodes, and the
/// operators whose output size is set by constant inputs (Expand, ConstantOfShape, Tile, Range, Pad, Resize,
/// Upsample, OneHot, Loop scan outputs) or follows from their inputs (element-wise and broadcasting operators,
/// Reshape, Unsqueeze, Concat, MatMul, Gemm, reductions, …).
/// <para>
/// What it guarantees: every figure is a lower bound, so a model it refuses really needs that much for one tensor and
/// an ordinary model is never refused by a guess. What it cannot see: sizes that depend on the data (a shape computed
/// from input values, NonZero, a Loop's trip count read from the input), operators it does not model (their outputs
/// count as one element), and the sum of tensors alive at once. Those are bounded at run time only by the process's
/// ONNX Runtime arena limit (<see cref="OnnxRuntimeEnvironment.MaxArenaBytes"/>) and the time limit.
/// </para>
/// </summary>
public sealed partial class OnnxMemoryEstimate
{
    private readonly List<OnnxTensorEstimate> _largestByPower;

    private OnnxMemoryEstimate(List<OnnxTensorEstimate> largestByPower) => _largestByPower = largestByPower;

    /// <summary>The tensor that needs the most memory for <paramref name="rows"/> rows; null when the model computes none.</summary>
    public OnnxTensorEstimate? Largest(int rows) => _largestByPower.MaxBy(t => t.Bytes(rows));

    /// <summary>At least how many bytes the largest tensor needs for <paramref name="rows"/> rows.</summary>
    public double Bytes(int rows) => Largest(rows)?.Bytes(rows) ?? 0;

    /// <summary>
    /// The most rows (from 1 to <paramref name="maxRows"/>) whose largest tensor fits in <paramref name="budget"/>
    /// bytes; 0 when not even one row fits.
    /// </summary>
    public int RowsWithin(long budget, int maxRows)
    {
        if (Bytes(maxRows) <= budget) return maxRows;
        int fits = 0, over = maxRows; // bytes grow with the rows, so bisect
        while (over - fits > 1)
        {
            var mid = fits + (over - fits) / 2;
            if (Bytes(mid) <= budget) fits = mid;
            else over = mid;
        }
        return fits;
    }

    /// <summary>Reads the model; run <see cref="OnnxModelInspector"/> first, which refuses damaged files and deep nesting.</summary>
    /// <param name="model">The ONNX file.</param>
    /// <param name="featureCount">The width of the float-tensor convention: a declared input width counts up to it.</param>
    /// <exception cref="InvalidProtocolBufferException">A part the inspector skips is damaged.</exception>
    public static OnnxMemoryEstimate Of(ReadOnlyMemory<byte> model, int featureCount)
    {
        var walker = new Walker(featureCount);
        var input = new CodedInputStream(model.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 7 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) // ModelProto.graph
                walker.Graph(Proto.Graph.Parse(input.ReadBytes()), new Scope(null), depth: 0);
            else
                input.SkipLastField();
        }
        return new OnnxMemoryEstimate(walker.Largest.Values.ToList());
    }

    /// <summary>What the walk knows of a value: its shape when known (null: unknown, counted as one element), its element type, and its values when it is a small constant.</summary>
    private sealed record Value(OnnxDim[]? Shape, int ElementType, double[]? Constant = null)
    {
        public static readonly Value Unknown = new(null, 0);

        public long[]? Ints => Constant?.Select(v => (long)v).ToArray();
    }

    private sealed class Scope(Scope? parent)
    {
        private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);

        public Value? this[string name]
        {
            get => _values.TryGetValue(name, out var v) ? v : parent?[name];
            set => _values[name] = value!;
        }
    }

    private sealed class Walker(int featureCount)
    {
        private const int MaxDepth = 32;

        /// <summary>Per power of N, the tensor with the largest coefficient: the only ones that can be the largest at any N.</summary>
        public readonly Dictionary<int, OnnxTensorEstimate> Largest = [];

        public void Graph(Proto.Graph graph, Scope scope, int depth)
        {
            if (depth > MaxDepth) return;
            foreach (var t in graph.Initializers) scope[t.Name] = FromTensor(t);
            for (var i = 0; i < graph.Inputs.Count; i++)
            {
                var (name, type, dims) = graph.Inputs[i];
                if (scope[name] is not null && depth == 0) continue; // an initializer with a declared input: its value wins
                scope[name] = depth == 0 ? new Value(InputShape(dims), type) : Value.Unknown;
            }
            foreach (var node in graph.Nodes)
            {
                var outputs = Infer(node, scope, depth);
                for (var i = 0; i < node.Outputs.Count; i++)
                {
                    var value = i < outputs.Length ? outputs[i] : Value.Unknown;
                    if (node.Outputs[i].Length == 0) continue;
                    scope[node.Outputs[i]] = value;
                    Record(node.OpType, value);
                }
            }
        }

        /// <summary>
        /// What is fed to a graph input, whatever its declaration claims: N rows first, then the feature tensor's width
        /// or one column (a declared width counts up to the number of features; binding refuses other shapes later).
        /// </summary>
        private OnnxDim[] InputShape(IReadOnlyList<long?> dims) =>
            dims.Select((d, i) => i == 0 ? new OnnxDim(1, 1) : new OnnxDim(i == 1 && d is { } width ? Math.Clamp(width, 1, Math.Max(featureCount, 1)) : 1, 0)).ToArray();

        private void Record(string op, Value value)
        {
            if (value.Shape is null || value.Shape.Any(d => double.IsNaN(d.Coef))) return;
            var estimate = new OnnxTensorEstimate(op, value.Shape, ElementBytes(value.ElementType), ElementName(value.ElementType));
            var power = value.Shape.Sum(d => d.Power);
            if (!Largest.TryGetValue(power, out var current) || estimate.Bytes(1) > current.Bytes(1)) Largest[power] = estimate;
        }

        private Value[] Infer(Proto.Node node, Scope scope, int depth)
        {
            Value In(int i) => i < node.Inputs.Count && node.Inputs[i].Length > 0 ? scope[node.Inputs[i]] ?? Value.Unknown : Value.Unknown;
            foreach (var attribute in node.Attributes)
                foreach (var g in attribute.Graphs)
                    Graph(g, new Scope(scope), depth + 1);
            if (node.Domain is not ("" or "ai.onnx")) return [];
            var x = In(0);
            switch (node.OpType)
            {
                case "Constant":
                    return [ConstantValue(node)];
                case "Identity":
                    return [x];
                case "Cast":
                    return [x with { ElementType = (int)(node.Int("to") ?? x.ElementType) }];
                case "CastLike":
                    return [x with { ElementType = In(1).ElementType }];
                case "Not" or "IsNaN" or "IsInf":
                    return [new Value(x.Shape, Bool)];
                case "Equal" or "Less" or "Greater" or "LessOrEqual" or "GreaterOrEqual" or "And" or "Or" or "Xor":
                    return [new Value(Broadcast(In(0).Shape, In(1).Shape), Bool)];
                case "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Mod" or "Max" or "Min" or "Sum" or "Mean" or "PRelu" or "BitShift":
                    return [new Value(node.Inputs.Select((_, i) => In(i).Shape).Aggregate(Broadcast), x.ElementType)];
                case "Where":
                    return [new Value(Broadcast(Broadcast(In(0).Shape, In(1).Shape), In(2).Shape), In(1).ElementType)];
                case "Abs" or "Neg" or "Exp" or "Log" or "Sqrt" or "Relu" or "Sigmoid" or "Tanh" or "Floor" or "Ceil" or "Round" or "Sign"
                    or "Reciprocal" or "Clip" or "Softmax" or "LogSoftmax" or "Erf" or "LeakyRelu" or "Elu" or "Selu" or "HardSigmoid"
                    or "Softplus" or "Sin" or "Cos" or "Dropout" or "CumSum" or "Shrink":
                    return [x with { Constant = null }];
                case "Expand":
                    return [new Value(Broadcast(x.Shape, Dims(In(1).Ints)), x.ElementType)];
                case "ConstantOfShape":
                    return [new Value(Dims(x.Ints) ?? null, node.Tensor("value")?.DataType ?? Float)];
                case "Tile":
                    return [new Value(Tile(x.Shape, In(1).Ints), x.ElementType)];
                case "Reshape":
                    return [new Value(Reshape(x.Shape, In(1).Ints), x.ElementType, x.Constant)];
                case "Flatten":
                    return [new Value(Flatten(x.Shape, (int)(node.Int("axis") ?? 1)), x.ElementType)];
                case "Unsqueeze":
                    return [new Value(Unsqueeze(x.Shape, node.Ints("axes") ?? In(1).Ints), x.ElementType, x.Constant)];
                case "Squeeze":
                    return [new Value(Squeeze(x.Shape, node.Ints("axes") ?? In(1).Ints), x.ElementType, x.Constant)];
                case "Transpose":
                    return [new Value(Transpose(x.Shape, node.Ints("perm")), x.ElementType)];
                case "Concat":
                    return [Concat(node.Inputs.Select((_, i) => In(i)).ToArray(), (int)(node.Int("axis") ?? 0))];
                case "Range":
                    return [Range(In(0), In(1), In(2))];
                case "Pad":
                    return [new Value(Pad(x.Shape, In(1).Ints ?? node.Ints("pads")), x.ElementType)];
                case "Resize":
                    return [new Value(In(3).Ints is { } sizes ? Dims(sizes) : Scale(x.Shape, In(2).Constant), x.ElementType)];
                case "Upsample":
                    return [new Value(Scale(x.Shape, In(1).Constant ?? node.Floats("scales")), x.ElementType)];
                case "OneHot":
                    return [new Value(OneHot(x.Shape, In(1).Constant, (int)(node.Int("axis") ?? -1)), In(2).ElementType)];
                case "MatMul":
                    return [new Value(MatMul(x.Shape, In(1).Shape), x.ElementType)];
                case "Gemm":
                    return [new Value(Gemm(x.Shape, In(1).Shape, node.Int("transA") == 1, node.Int("transB") == 1), x.ElementType)];
                case "ArgMax" or "ArgMin":
                    return [new Value(Reduce(x.Shape, [node.Int("axis") ?? 0], node.Int("keepdims") != 0), Int64)];
                case "Shape":
                    return [new Value(x.Shape is null ? null : [new OnnxDim(x.Shape.Length, 0)], Int64)];
                case "Size":
                    return [new Value([], Int64)];
                case "Loop":
                    return Loop(node, In(0));
                default:
                    if (node.OpType.StartsWith("Reduce", StringComparison.Ordinal))
                        return [new Value(Reduce(x.Shape, node.Ints("axes") ?? In(1).Ints, node.Int("keepdims") != 0), x.ElementType)];
                    return [];
            }
        }

        /// <summary>A Loop's scan outputs stack one body output per iteration: [M, …] for a constant trip count M.</summary>
        private Value[] Loop(Proto.Node node, Value tripCount)
        {
            var body = node.Attributes.FirstOrDefault(a => a.Name == "body")?.Graphs.FirstOrDefault();
            if (body is null || tripCount.Constant is not [var m]) return [];
            var carried = node.Inputs.Count - 2;
            var outputs = new Value[node.Outputs.Count];
            for (var i = 0; i < outputs.Length; i++) outputs[i] = Value.Unknown;
            for (var i = carried; i < outputs.Length && i + 1 < body.Outputs.Count; i++)
            {
                // Body outputs are cond, the carried values, then the scan outputs; their shapes come from the body's declarations.
                var (_, type, dims) = body.Outputs[i + 1];
                outputs[i] = new Value([new OnnxDim(Math.Max(m, 0), 0), .. dims.Select(d => d is { } v ? new OnnxDim(Math.Max(v, 0), 0) : OnnxDim.One)], type);
            }
            return outputs;
        }

        private static Value ConstantValue(Proto.Node node)
        {
            if (node.Tensor("value") is { } t) return FromTensor(t);
            if (node.Int("value_int") is { } i) return new Value([], Int64, [i]);
            if (node.Ints("value_ints") is { } ints) return new Value([new OnnxDim(ints.Length, 0)], Int64, ints.Select(v => (double)v).ToArray());
            if (node.Floats("value_floats") is { } fs) return new Value([new OnnxDim(fs.Length, 0)], Float, fs);
            if (node.Attributes.FirstOrDefault(a => a.Name == "value_float") is { Floats: [var f] }) return new Value([], Float, [f]);
            return Value.Unknown;
        }

        private static Value FromTensor(Proto.Tensor t) =>
            new(t.Dims.Select(d => new OnnxDim(Math.Max(d, 0), 0)).ToArray(), t.DataType, t.Values);

        private static OnnxDim[]? Dims(long[]? values) => values?.Select(v => new OnnxDim(Math.Max(v, 0), 0)).ToArray();

        /// <summary>Numpy broadcasting of lower bounds: each aligned dimension is at least either side's.</summary>
        private static OnnxDim[]? Broadcast(OnnxDim[]? a, OnnxDim[]? b)
        {
            if (a is null) return b;
            if (b is null) return a;
            var rank = Math.Max(a.Length, b.Length);
            var result = new OnnxDim[rank];
            for (var i = 0; i < rank; i++)
            {
                var da = i < rank - a.Length ? OnnxDim.One : a[i - (rank - a.Length)];
                var db = i < rank - b.Length ? OnnxDim.One : b[i - (rank - b.Length)];
                result[i] = Larger(da, db);
            }
            return result;
        }

        private static OnnxDim Larger(OnnxDim a, OnnxDim b) => a.Power != b.Power ? (a.Power > b.Power ? a : b) : (a.Coef >= b.Coef ? a : b);

        private static OnnxDim Times(OnnxDim a, OnnxDim b) => new(a.Coef * b.Coef, a.Power + b.Power);

        private static OnnxDim[]? Tile(OnnxDim[]? shape, long[]? repeats)
        {
            if (repeats is null) return shape;
            shape ??= repeats.Select(_ => OnnxDim.One).ToArray();
            if (shape.Length != repeats.Length) return shape;
            return shape.Select((d, i) => d with { Coef = d.Coef * Math.Max(repeats[i], 0) }).ToArray();
        }

        private static OnnxDim[]? Reshape(OnnxDim[]? shape, long[]? target)
        {
            if (target is null) return null;
            var dims = target.Select((v, i) => v == 0 && shape is not null && i < shape.Length ? shape[i] : new OnnxDim(Math.Max(v, 1), 0)).ToArray();
            var inferred = Array.IndexOf(target, -1L);
            if (inferred >= 0)
            {
                // The inferred dimension is the input's element count over the others'.
                var total = Total(shape);
                var others = dims.Where((_, i) => i != inferred).Aggregate(OnnxDim.One, Times);
                dims[inferred] = total.Power >= others.Power && others.Coef > 0
                    ? new OnnxDim(Math.Max(total.Coef / others.Coef, 1), total.Power - others.Power)
                    : OnnxDim.One;
            }
            return dims;
        }

        private static OnnxDim Total(OnnxDim[]? shape) => shape?.Aggregate(OnnxDim.One, Times) ?? OnnxDim.One;

        private static OnnxDim[]? Flatten(OnnxDim[]? shape, int axis)
        {
            if (shape is null) return null;
            if (axis < 0) axis += shape.Length;
            if (axis < 0 || axis > shape.Length) return null;
            return [Total(shape[..axis]), Total(shape[axis..])];
        }

        private static OnnxDim[]? Unsqueeze(OnnxDim[]? shape, long[]? axes)
        {
            if (shape is null || axes is null) return shape;
            var rank = shape.Length + axes.Length;
            var at = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
            var result = new List<OnnxDim>(rank);
            var next = 0;
            for (var i = 0; i < rank; i++) result.Add(at.Contains(i) || next >= shape.Length ? OnnxDim.One : shape[next++]);
            return result.ToArray();
        }

        private static OnnxDim[]? Squeeze(OnnxDim[]? shape, long[]? axes)
        {
            if (shape is null || axes is null) return null;
            var at = axes.Select(a => a < 0 ? a + shape.Length : a).ToHashSet();
            return shape.Where((_, i) => !at.Contains(i)).ToArray();
        }

        private static OnnxDim[]? Transpose(OnnxDim[]? shape, long[]? perm)
        {
            if (shape is null) return null;
            if (perm is null) return shape.Reverse().ToArray();
            return perm.Length == shape.Length && perm.All(p => p >= 0 && p < shape.Length) ? perm.Select(p => shape[p]).ToArray() : null;
        }

        private static Value Concat(Value[] parts, int axis)
        {
            var known = parts.Where(p => p.Shape is not null).ToArray();
            var type = parts.Length > 0 ? parts[0].ElementType : 0;
            if (known.Length == 0) return new Value(null, type);
            var rank = known[0].Shape!.Length;
            if (axis < 0) axis += rank;
            if (axis < 0 || axis >= rank || known.Any(p => p.Shape!.Length != rank)) return new Value(known[0].Shape, type);
            var result = (OnnxDim[])known[0].Shape!.Clone();
            foreach (var p in known.Skip(1))
                for (var i = 0; i < rank; i++)
                    result[i] = i != axis ? Larger(result[i], p.Shape![i])
                        : result[i].Power == p.Shape![i].Power ? result[i] with { Coef = result[i].Coef + p.Shape[i].Coef } : Larger(result[i], p.Shape[i]);
            // Shape vectors built by concatenating constants stay constant (Reshape and Expand targets).
            double[]? constant = parts.All(p => p.Constant is not null) ? parts.SelectMany(p => p.Constant!).ToArray() : null;
            return new Value(result, type, constant is { Length: <= Proto.MaxConstantValues } ? constant : null);
        }

        private static Value Range(Value start, Value limit, Value delta)
        {
            if (start.Constant is not [var s] || limit.Constant is not [var l] || delta.Constant is not [var d] || d == 0)
                return new Value(null, start.ElementType);
            return new Value([new OnnxDim(Math.Max(Math.Ceiling((l - s) / d), 0), 0)], start.ElementType);
        }

        private static OnnxDim[]? Pad(OnnxDim[]? shape, long[]? pads)
        {
            if (shape is null || pads is null || pads.Length != 2 * shape.Length) return shape;
            // A dimension in N keeps its bound when padded and drops to one when cropped (N − k is no multiple of N).
            return shape.Select((d, i) => d.Power == 0 ? d with { Coef = Math.Max(d.Coef + pads[i] + pads[i + shape.Length], 0) }
                : pads[i] + pads[i + shape.Length] >= 0 ? d : OnnxDim.One).ToArray();
        }

        private static OnnxDim[]? Scale(OnnxDim[]? shape, double[]? scales)
        {
            if (shape is null || scales is null || scales.Length != shape.Length) return shape;
            return shape.Select((d, i) => d with { Coef = Math.Floor(d.Coef * Math.Max(scales[i], 0)) }).ToArray();
        }

        private static OnnxDim[]? OneHot(OnnxDim[]? shape, double[]? depth, int axis)
        {
            if (shape is null || depth is not [var k]) return shape;
            var rank = shape.Length + 1;
            if (axis < 0) axis += rank;
            if (axis < 0 || axis >= rank) return shape;
            return [.. shape[..axis], new OnnxDim(Math.Max(k, 0), 0), .. shape[axis..]];
        }

        private static OnnxDim[]? MatMul(OnnxDim[]? a, OnnxDim[]? b)
        {
            if (a is null || b is null || a.Length == 0 || b.Length == 0) return null;
            var rows = a.Length >= 2 ? a[^2] : (OnnxDim?)null;
            var cols = b.Length >= 2 ? b[^1] : (OnnxDim?)null;
            var batch = Broadcast(a.Length > 2 ? a[..^2] : [], b.Length > 2 ? b[..^2] : [])!;
            return [.. batch, .. rows is { } r ? [r] : Array.Empty<OnnxDim>(), .. cols is { } c ? [c] : Array.Empty<OnnxDim>()];
        }

        private static OnnxDim[]? Gemm(OnnxDim[]? a, OnnxDim[]? b, bool transA, bool transB)
        {
            if (a is not { Length: 2 } || b is not { Length: 2 }) return null;
            return [transA ? a[1] : a[0], transB ? b[0] : b[1]];
        }

        private static OnnxDim[]? Reduce(OnnxDim[]? shape, long[]? axes, bool keepDims)
        {
            if (shape is null) return null;
            if (axes is null || axes.Length == 0) return keepDims ? shape.Select(_ => OnnxDim.One).ToArray() : [];
            var at = axes.Select(a => a < 0 ? a + shape.Length : a).ToHashSet();
            return keepDims ? shape.Select((d, i) => at.Contains(i) ? OnnxDim.One : d).ToArray() : shape.Where((_, i) => !at.Contains(i)).ToArray();
        }
    }

    // TensorProto.DataType values.
    private const int Float = 1, Int64 = 7, Bool = 9;

    internal static int ElementBytes(int type) => type switch
    {
        1 or 6 or 12 => 4,        // float, int32, uint32
        2 or 3 or 9 => 1,         // uint8, int8, bool
        4 or 5 or 10 or 16 => 2,  // uint16, int16, float16, bfloat16
        7 or 11 or 13 or 14 => 8, // int64, double, uint64, complex64
        8 => 32,                  // string: the std::string header, before any characters
        15 => 16,                 // complex128
        _ => 1,
    };

    private static string ElementName(int type) => type switch
    {
        1 => "floats", 2 => "uint8 values", 3 => "int8 values", 4 => "uint16 values", 5 => "int16 values", 6 => "int32 values",
        7 => "int64 values", 8 => "strings", 9 => "booleans", 10 => "float16 values", 11 => "doubles", 12 => "uint32 values",
        13 => "uint64 values", 14 => "complex64 values", 15 => "complex128 values", 16 => "bfloat16 values",
        _ => "values",
    };

    /// <summary>Byte counts for messages: "1.6 GB", "256 MB".</summary>
    public static string FormatBytes(double bytes)
    {
        const double gigabyte = 1024.0 * ModelLimits.BytesPerMegabyte;
        return bytes >= gigabyte
            ? $"{(bytes / gigabyte).ToString(bytes >= 100 * gigabyte ? "N0" : "0.#", CultureInfo.InvariantCulture)} GB"
            : $"{(bytes / ModelLimits.BytesPerMegabyte).ToString("0.#", CultureInfo.InvariantCulture)} MB";
    }
}
