using System.Globalization;
using System.Text;
using BiasBounty.Scoring.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BiasBounty.Scoring.Models;

public sealed partial class OnnxModel
{
    /// <summary>One model input: the float tensor X, or a column of the per-column convention.</summary>
    private sealed record BoundInput(string Name, ColumnSpec? Column, int Rank);

    private static (OnnxInputConvention, BoundInput[]) BindInputs(InferenceSession session, DatasetSchema schema, IReadOnlyList<ColumnSpec> features)
    {
        var names = session.InputNames;
        var metadata = session.InputMetadata;
        if (names.Count == 1 && IsTensorInput(names[0], metadata[names[0]], features))
        {
            var name = names[0];
            var meta = metadata[name];
            if (meta.ElementDataType != TensorElementType.Float)
                throw new ModelValidationException($"input {Quote(name)} is {TypeName(meta.ElementDataType)}; the feature tensor must be float [N, {features.Count}]");
            var width = meta.Dimensions[1];
            if (width >= 0 && width != features.Count)
                throw new ModelValidationException($"input {Quote(name)} has {width} features; the competition has {features.Count} feature columns");
            CheckBatchDimension(name, meta);
            return (OnnxInputConvention.FloatTensor, [new BoundInput(name, null, 2)]);
        }

        var inputs = new BoundInput[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var meta = metadata[name];
            var spec = schema.Find(name);
            if (spec is null)
                throw new ModelValidationException(UnknownInput(name, features));
            if (spec.Role != ColumnRole.Feature)
                throw new ModelValidationException($"input {Quote(name)} is {RoleName(spec.Role)}; a model may only take feature columns");
            if (!meta.IsTensor)
                throw new ModelValidationException($"input {Quote(name)} is a {meta.OnnxValueType}; inputs must be tensors");
            var dims = meta.Dimensions;
            if (dims.Length is < 1 or > 2 || (dims.Length == 2 && dims[1] > 1))
                throw new ModelValidationException(
                    $"input {Quote(name)} has shape [{string.Join(", ", dims.Select(d => d < 0 ? "N" : d.ToString(CultureInfo.InvariantCulture)))}]; an input per column must be [N, 1]");
            CheckBatchDimension(name, meta);
            var expected = spec.Kind == ColumnKind.Numeric ? TensorElementType.Float : TensorElementType.String;
            if (meta.ElementDataType != expected)
                throw new ModelValidationException(spec.Kind == ColumnKind.Numeric
                    ? $"input {Quote(name)} is {TypeName(meta.ElementDataType)} but {Quote(name)} is a numeric column; numeric columns are passed as float [N, 1]"
                    : $"input {Quote(name)} is {TypeName(meta.ElementDataType)} but {Quote(name)} is a categorical column; categorical columns are passed as string [N, 1]");
            inputs[i] = new BoundInput(name, spec, dims.Length);
        }
        return (OnnxInputConvention.PerColumn, inputs);
    }

    /// <summary>
    /// A single rank-2 input is the feature tensor unless it is named as a feature column and holds one value per row
    /// (then it is a one-column model on the per-column convention).
    /// </summary>
    private static bool IsTensorInput(string name, NodeMetadata meta, IReadOnlyList<ColumnSpec> features)
    {
        if (!meta.IsTensor || meta.Dimensions.Length != 2) return false;
        if (features.Any(f => f.Name == name)) return meta.Dimensions[1] > 1;
        // A lone [N, 1] input holds one column, not the features: unless the competition has a single feature, it goes
        // the per-column way, whose message names what is wrong with it (an unknown or hidden column) rather than
        // counting features.
        return meta.Dimensions[1] != 1 || features.Count == 1;
    }

    /// <summary>
    /// A name from the model, quoted for a message: control, format and other invisible characters are shown as
    /// \u escapes (so a name cannot break or disguise the message) and long names are cut.
    /// </summary>
    internal static string Quote(string name)
    {
        const int longest = 60;
        var text = new StringBuilder("'");
        foreach (var rune in name.EnumerateRunes())
        {
            if (text.Length > longest)
            {
                text.Append('…');
                break;
            }
            var category = Rune.GetUnicodeCategory(rune);
            // The zero-width joiner is a format character that holds emoji sequences (👩‍💻) together: kept.
            if (rune.Value != 0x200D && category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                text.Append($"\\u{rune.Value:X4}");
            else
                text.Append(rune.ToString());
        }
        return text.Append('\'').ToString();
    }

    private static void CheckBatchDimension(string name, NodeMetadata meta)
    {
        if (meta.Dimensions[0] > 0)
            throw new ModelValidationException(
                $"input {Quote(name)} has a fixed batch size of {meta.Dimensions[0]}; export the model with a dynamic first dimension (N)");
    }

    private static (string Name, TensorElementType Type) CheckOutput(InferenceSession session, ModelRole role, LabelDomain? label)
    {
        var name = session.OutputNames[0];
        var meta = session.OutputMetadata[name];
        if (!meta.IsTensor)
            throw new ModelValidationException(
                $"the first output {Quote(name)} is a {meta.OnnxValueType}; it must be a tensor holding the prediction (export classifiers without ZipMap)");
        var type = meta.ElementDataType;
        if (type is not (TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.Float or TensorElementType.Double
            or TensorElementType.Bool or TensorElementType.String))
            throw new ModelValidationException($"the first output {Quote(name)} is {TypeName(type)}; a prediction must be int64, float or string");
        if (type == TensorElementType.String && role == ModelRole.Group)
            throw new ModelValidationException($"the first output {Quote(name)} holds strings; a group model must output 1 (in the group) or 0 as int64");
        if (type == TensorElementType.String && label!.Task == TaskKind.Regression)
            throw new ModelValidationException($"the first output {Quote(name)} holds strings; a regression model must output numbers");
        var dims = meta.Dimensions;
        if (dims.Length == 0 || dims.Length > 2 || (dims.Length == 2 && dims[1] > 1))
            throw new ModelValidationException(dims.Length == 2
                ? $"the first output {Quote(name)} has {dims[1]} values per row; the first output must be the prediction, one value per row"
                : $"the first output {Quote(name)} has rank {dims.Length}; the first output must be the prediction, one value per row ([N] or [N, 1])");
        return (name, type);
    }

    private static string UnknownInput(string name, IReadOnlyList<ColumnSpec> features)
    {
        var suggestion = features
            .Select(f => (f.Name, Distance: string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase) ? 0 : Levenshtein(f.Name.ToLowerInvariant(), name.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, Math.Min(name.Length, c.Name.Length) / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        if (suggestion is not null)
            return $"input {Quote(name)} is not a feature column; did you mean {Quote(suggestion)}?";
        const int listed = 30;
        var list = string.Join(", ", features.Take(listed).Select(f => f.Name)) + (features.Count > listed ? ", …" : "");
        return $"input {Quote(name)} is not a feature column; the feature columns are {list}";
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string RoleName(ColumnRole role) => role switch
    {
        ColumnRole.Label => "the label column",
        ColumnRole.Hidden => "a hidden column",
        ColumnRole.Loss => "a loss column",
        _ => "not a feature column",
    };

    private static string TypeName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "a float tensor",
        TensorElementType.Double => "a double tensor",
        TensorElementType.String => "a string tensor",
        TensorElementType.Int64 => "an int64 tensor",
        TensorElementType.Int32 => "an int32 tensor",
        TensorElementType.Bool => "a bool tensor",
        _ => $"a {type.ToString().ToLowerInvariant()} tensor",
    };

    /// <summary>The error for data that lacks a column the model reads (or has it with another kind).</summary>
    internal static ScoringInputException MissingInput(ColumnSpec spec) =>
        new($"the data has no {spec.Kind.ToString().ToLowerInvariant()} column '{spec.Name}', which the model takes as input");

    /// <summary>Builds the input tensors of each batch; buffers are reused across the batches of one prediction call.</summary>
    private sealed class Feeder
    {
        private readonly OnnxModel _model;
        private readonly Dataset _data;
        private readonly FeatureCoding? _coding;
        private readonly Column[] _columns;
        private readonly float[][] _buffers;
        private readonly byte[][][] _utf8;

        public Feeder(OnnxModel model, Dataset data, int batchRows)
        {
            _model = model;
            _data = data;
            if (model.Convention == OnnxInputConvention.FloatTensor)
            {
                _coding = model._coding ?? CodingOf(model._features, data);
                _columns = [];
                _buffers = [new float[batchRows * _coding.Width]];
                _utf8 = [];
                return;
            }
            _columns = new Column[model._inputs.Length];
            _buffers = new float[model._inputs.Length][];
            _utf8 = new byte[model._inputs.Length][][];
            for (var i = 0; i < _columns.Length; i++)
            {
                var spec = model._inputs[i].Column!;
                if (!data.TryGetColumn(spec.Name, out var column) || column.Kind != spec.Kind)
                    throw MissingInput(spec);
                _columns[i] = column;
                _buffers[i] = column is NumericColumn ? new float[batchRows] : [];
                // Each category's UTF-8 bytes once, instead of one conversion per row.
                _utf8[i] = column is CategoricalColumn c ? c.Categories.Select(System.Text.Encoding.UTF8.GetBytes).ToArray() : [];
            }
        }

        public OrtValue[] Fill(ReadOnlySpan<int> rows)
        {
            var n = rows.Length;
            if (_coding is not null)
            {
                var buffer = _buffers[0];
                var width = _coding.Width;
                _coding.Encode(_data, rows, buffer);
                return [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, n * width), [n, width])];
            }
            var values = new OrtValue[_columns.Length];
            try
            {
                for (var i = 0; i < values.Length; i++)
                {
                    long[] shape = _model._inputs[i].Rank == 2 ? [n, 1] : [n];
                    switch (_columns[i])
                    {
                        case NumericColumn numeric:
                            var buffer = _buffers[i];
                            var source = numeric.Values;
                            for (var r = 0; r < n; r++) buffer[r] = source[rows[r]];
                            values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, n), shape);
                            break;
                        case CategoricalColumn categorical:
                            // A missing category is passed as the empty string, which no category equals.
                            var strings = values[i] = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                            var codes = categorical.Codes;
                            var utf8 = _utf8[i];
                            for (var r = 0; r < n; r++)
                            {
                                var code = codes[rows[r]];
                                strings.StringTensorSetElementAt(code < 0 ? ReadOnlySpan<byte>.Empty : utf8[code], r);
                            }
                            break;
                    }
                }
                return values;
            }
            catch
            {
                foreach (var v in values) v?.Dispose();
                throw;
            }
        }

        private static FeatureCoding CodingOf(IReadOnlyList<ColumnSpec> features, Dataset data)
        {
            var categories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var f in features)
                if (f.Kind == ColumnKind.Categorical)
                    categories[f.Name] = data.TryGetColumn(f.Name, out var column) && column is CategoricalColumn c ? c.Categories : [];
            return new FeatureCoding(features, categories);
        }
    }
}
