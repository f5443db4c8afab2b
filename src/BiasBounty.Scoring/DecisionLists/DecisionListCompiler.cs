using System.Globalization;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>
/// What export needs of a decision list: the base model, the nodes (oldest first) and each published version's node
/// count. Read from <see cref="PointerDecisionList"/> or from the JSON of the platform's model download (which has no
/// holdout predictions).
/// </summary>
public sealed record DecisionListStructure(string BaseModelId, IReadOnlyList<DecisionNode> Nodes, IReadOnlyList<int> VersionNodeCounts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { AllowOutOfOrderMetadataProperties = true };

    /// <summary>The structure of a list.</summary>
    public static DecisionListStructure Of(PointerDecisionList list) =>
        new(list.BaseModelId, list.Nodes, list.Versions.Select(v => v.NodeCount).ToArray());

    /// <summary>Reads <see cref="PointerDecisionList.ToJson"/> or the public <c>decision-list.json</c> of the model download.</summary>
    /// <exception cref="ScoringInputException">Not a decision list.</exception>
    public static DecisionListStructure FromJson(string json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ScoringInputException($"not a decision list: {e.Message}", e);
        }
        if (document is null || document.Format != PointerDecisionList.FormatName || document.BaseModelId is null || document.Nodes is null || document.Versions is null
            || document.Versions.Count == 0)
            throw new ScoringInputException($"not a decision list of format {PointerDecisionList.FormatName}");
        for (var i = 0; i < document.Versions.Count; i++)
            if (document.Versions[i].Number != i || document.Versions[i].NodeCount < 0 || document.Versions[i].NodeCount > document.Nodes.Count)
                throw new ScoringInputException($"version {i} of the decision list is inconsistent");
        return new DecisionListStructure(document.BaseModelId, document.Nodes, document.Versions.Select(v => v.NodeCount).ToArray());
    }

    private sealed record VersionDocument(int Number, int NodeCount);

    private sealed record Document(string? Format, string? BaseModelId, List<DecisionNode>? Nodes, List<VersionDocument>? Versions);
}

/// <summary>
/// Compiles a published version of a pointer decision list into one ONNX model that ONNX Runtime runs without
/// BiasBounty: every model (base, fixes, group models) is inlined as renamed nodes, every expression group becomes
/// ONNX comparisons over the inputs, and predictions are selected with <c>Where</c>, oldest node first so that the
/// newest node claiming a row decides it, exactly as <see cref="PointerDecisionList.Predict"/> does; a repair takes
/// the selection of its target version, compiled once.
/// <para>
/// The exported model takes the competition's per-column convention: one input per feature column, <c>[N, 1]</c>,
/// float for numeric columns (NaN = missing) and string for text columns (the empty string = missing). Its output
/// <c>prediction</c> is float <c>[N]</c>: 0/1 for classification (NaN where a model's prediction was unusable, as the
/// platform scores it), the value for regression. Opsets: the highest of ai.onnx 17 / ai.onnx.ml 3 and the models'.
/// </para>
/// </summary>
public static class DecisionListCompiler
{
    /// <summary>Name of the exported model's output.</summary>
    public const string OutputName = "prediction";

    private const int FloatType = 1, Int64Type = 7, StringType = 8, BoolType = 9, DoubleType = 11, Int32Type = 6;

    /// <summary>Compiles <paramref name="version"/> (default: the newest) of <paramref name="list"/>.</summary>
    /// <param name="list">The list's structure.</param>
    /// <param name="schema">The competition's schema: the feature columns become the inputs.</param>
    /// <param name="label">The label's domain (classification maps predictions outside 0/1 to NaN, as the platform does).</param>
    /// <param name="models">ONNX bytes by content id, for every model the version uses.</param>
    /// <param name="coding">
    /// Category codes for float-tensor models that carry none (the data card's); models exported by BiasBounty embed theirs.
    /// </param>
    /// <param name="version">The published version.</param>
    /// <exception cref="ScoringInputException">A model is missing, or the version does not exist, or an expression does not fit the schema.</exception>
    /// <exception cref="ModelValidationException">A model uses something export cannot inline.</exception>
    public static byte[] Compile(DecisionListStructure list, DatasetSchema schema, LabelDomain label, IReadOnlyDictionary<string, byte[]> models,
        FeatureCoding? coding = null, int? version = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(models);
        if (list.BaseModelId == PointerDecisionList.EvaluationTableModelId)
            throw new ScoringInputException("an evaluation-table competition has no model to export");
        var v = version ?? list.VersionNodeCounts.Count - 1;
        if (v < 0 || v >= list.VersionNodeCounts.Count)
            throw new ScoringInputException($"the decision list has no version {v} (versions 0 to {list.VersionNodeCounts.Count - 1})");
        return new Compilation(list, schema, label, models, coding).Run(v);
    }

    private sealed class Compilation(
        DecisionListStructure list, DatasetSchema schema, LabelDomain label, IReadOnlyDictionary<string, byte[]> models, FeatureCoding? coding)
    {
        private readonly OnnxGraphBuilder _graph = new("biasbounty_decision_list");
        private readonly Dictionary<string, string> _flat = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _modelOutputs = new(StringComparer.Ordinal);
        private readonly Dictionary<GroupRef, string> _masks = [];
        private readonly Dictionary<int, string> _versions = [];
        private readonly Dictionary<string, (string Codes, Dictionary<string, long> Index)> _textCodes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _opsets = new(StringComparer.Ordinal) { [""] = OnnxGraphBuilder.OnnxOpset, [OnnxGraphBuilder.MlDomain] = OnnxGraphBuilder.MlOpset };
        private long _ir = OnnxGraphBuilder.IrVersion;
        private int _modelCount;
        private string? _flatShape;
        private string? _nan;

        public byte[] Run(int version)
        {
            foreach (var f in schema.Features)
                _graph.Input(f.Name, f.Kind == ColumnKind.Numeric ? OnnxElementType.Float : OnnxElementType.String, -1, 1);
            var prediction = Version(version);
            _graph.Node("Identity", [prediction], [OutputName]);
            _graph.Output(OutputName, OnnxElementType.Float, -1);
            foreach (var (domain, opset) in _opsets) _graph.Opset(domain, opset);
            _graph.IrVersionWritten = _ir;
            return _graph.Metadata("biasbounty.exported_version", version.ToString(CultureInfo.InvariantCulture)).ToModelBytes("BiasBounty decision-list export");
        }

        private string Version(int version)
        {
            if (_versions.TryGetValue(version, out var done)) return done;
            var result = Model(list.BaseModelId, ModelRole.Predictor);
            foreach (var node in list.Nodes.Take(list.VersionNodeCounts[version]))
            {
                var mask = Mask(node.Group);
                var values = node switch
                {
                    UpdateNode update => Model(update.ModelId, ModelRole.Predictor),
                    RepairNode repair when repair.TargetVersion >= 0 && repair.TargetVersion < version => Version(repair.TargetVersion),
                    RepairNode repair => throw new ScoringInputException($"a repair points to version {repair.TargetVersion}, which is not earlier than version {version}"),
                    _ => throw new InvalidOperationException($"unknown node {node.GetType().Name}"),
                };
                result = _graph.Apply("Where", [mask, values, result]);
            }
            _versions[version] = result;
            return result;
        }

        // ---- models -------------------------------------------------------------------------------------------------

        private string Model(string id, ModelRole role)
        {
            var key = $"{role}:{id}";
            if (_modelOutputs.TryGetValue(key, out var done)) return done;
            if (!models.TryGetValue(id, out var bytes))
                throw new ScoringInputException($"the model {id} that the decision list uses is missing");
            var prefix = $"m{_modelCount++}/";
            var inlined = OnnxInliner.Inline(bytes, prefix);
            foreach (var (domain, opset) in inlined.Opsets) _opsets[domain] = Math.Max(opset, _opsets.GetValueOrDefault(domain));
            _ir = Math.Max(_ir, inlined.IrVersion);
            BindInputs(inlined, prefix);
            foreach (var initializer in inlined.Initializers) _graph.RawInitializer(initializer);
            foreach (var node in inlined.Nodes) _graph.RawNode(node);
            if (inlined.Outputs.Count == 0) throw new ModelValidationException($"the model {id} has no output");
            var output = inlined.Outputs[0];
            var result = Normalise(prefix + output.Name, output.ElementType, role, id);
            _modelOutputs[key] = result;
            return result;
        }

        /// <summary>Feeds the inlined model's inputs from the export's per-column inputs, as <see cref="OnnxModel"/> binds them.</summary>
        private void BindInputs(OnnxInliner.InlinedModel model, string prefix)
        {
            var features = schema.Features;
            if (model.Inputs.Count == 1 && IsTensorInput(model.Inputs[0], features))
            {
                var modelCoding = model.Metadata.TryGetValue(FeatureCoding.MetadataKey, out var json) ? FeatureCoding.FromJson(json) : coding;
                var columns = features.Select(f => f.Kind == ColumnKind.Numeric ? Flat(f.Name) : Codes(f.Name, modelCoding)).ToArray();
                var reshaped = columns.Select(c => _graph.Apply("Reshape", [c, _graph.Constant([-1L, 1L], 2)])).ToArray();
                _graph.Node("Concat", reshaped, [prefix + model.Inputs[0].Name], "", OnnxAttribute.Int("axis", 1));
                return;
            }
            foreach (var input in model.Inputs)
            {
                var spec = schema.Find(input.Name);
                if (spec is null || spec.Role != ColumnRole.Feature)
                    throw new ModelValidationException($"the model's input '{input.Name}' is not a feature column");
                if (input.Dims.Count == 1) _graph.Node("Reshape", [input.Name, FlatShape()], [prefix + input.Name]);
                else _graph.Node("Identity", [input.Name], [prefix + input.Name]);
            }
        }

        private static bool IsTensorInput(OnnxInliner.ValueInfo input, IReadOnlyList<ColumnSpec> features)
        {
            if (input.Dims.Count != 2) return false;
            var width = input.Dims[1];
            if (features.Any(f => f.Name == input.Name)) return width is null or > 1;
            return width != 1 || features.Count == 1;
        }

        /// <summary>A text column as the float codes of <paramref name="modelCoding"/> (NaN for missing or unknown values).</summary>
        private string Codes(string column, FeatureCoding? modelCoding)
        {
            if (modelCoding is null)
                throw new ScoringInputException(
                    $"a model reads text column '{column}' as category codes but carries no coding; give the competition's data card or public data");
            // The empty string (a missing value) and values the coding lacks become NaN, as FeatureCoding encodes them.
            var keys = new List<string> { "" };
            var values = new List<float> { float.NaN };
            var seen = new HashSet<string>(StringComparer.Ordinal) { "" };
            var categories = modelCoding.Categories[column];
            for (var c = 0; c < categories.Count; c++)
                if (seen.Add(categories[c]))
                {
                    keys.Add(categories[c]);
                    values.Add(c);
                }
            return _graph.Apply("LabelEncoder", [Flat(column)], OnnxGraphBuilder.MlDomain,
                OnnxAttribute.Strings("keys_strings", keys), OnnxAttribute.Floats("values_floats", values), OnnxAttribute.Float("default_float", float.NaN));
        }

        /// <summary>The model's first output as float [N], mapped as <see cref="OnnxModel"/> reads it.</summary>
        private string Normalise(string output, int type, ModelRole role, string id)
        {
            string asDouble = type switch
            {
                DoubleType => output,
                FloatType or Int64Type or Int32Type => _graph.Apply("Cast", [output], "", OnnxAttribute.Int("to", DoubleType)),
                BoolType => _graph.Apply("Cast", [_graph.Apply("Cast", [output], "", OnnxAttribute.Int("to", FloatType))], "", OnnxAttribute.Int("to", DoubleType)),
                StringType => throw new ModelValidationException($"the model {id} outputs text labels; export supports models that output numbers"),
                _ => throw new ModelValidationException($"the model {id}'s first output has element type {type}, which export does not support"),
            };
            var flat = _graph.Apply("Reshape", [asDouble, FlatShape()]);
            var zero = DoubleConstant(0f);
            var one = DoubleConstant(1f);
            if (role == ModelRole.Group)
                return _graph.Apply("Equal", [flat, one]);
            var asFloat = _graph.Apply("Cast", [flat], "", OnnxAttribute.Int("to", FloatType));
            if (label.Task == TaskKind.Regression)
                return _graph.Apply("Where", [_graph.Apply("IsInf", [flat]), Nan(), asFloat]);
            var valid = _graph.Apply("Or", [_graph.Apply("Equal", [flat, zero]), _graph.Apply("Equal", [flat, one])]);
            return _graph.Apply("Where", [valid, asFloat, Nan()]);
        }

        // ---- groups -------------------------------------------------------------------------------------------------

        private string Mask(GroupRef group)
        {
            if (_masks.TryGetValue(group, out var done)) return done;
            string mask;
            if (group.Expression is { } text)
            {
                var expression = SubgroupExpression.Parse(text);
                expression.Bind(ExpressionSchema.Of(schema)); // checks columns and kinds
                mask = Node(expression.Root);
            }
            else
            {
                mask = Model(group.ModelId!, ModelRole.Group);
            }
            _masks[group] = mask;
            return mask;
        }

        private string Node(ExpressionNode node) => node switch
        {
            AndNode and => _graph.Apply("And", [Node(and.Left), Node(and.Right)]),
            OrNode or => _graph.Apply("Or", [Node(or.Left), Node(or.Right)]),
            NotNode not => _graph.Apply("Not", [Node(not.Operand)]),
            ConditionNode condition => Condition(condition),
            _ => throw new InvalidOperationException($"unknown expression node {node.GetType().Name}"),
        };

        private string Condition(ConditionNode condition)
        {
            var name = condition.Column.Name;
            var spec = schema.Find(name) ?? throw new ScoringInputException($"unknown column '{name}'");
            if (spec.Kind == ColumnKind.Numeric)
            {
                var x = Flat(name);
                var missing = _graph.Apply("IsNaN", [x]);
                switch (condition)
                {
                    case MissingNode m:
                        return m.Negated ? _graph.Apply("Not", [missing]) : missing;
                    case ComparisonNode { Value: NumberLiteral n } c:
                    {
                        var value = _graph.Constant([n.Value], 1);
                        return c.Operator switch
                        {
                            ComparisonOperator.Equal => _graph.Apply("Equal", [x, value]),
                            ComparisonOperator.NotEqual => PresentAndNot(_graph.Apply("Equal", [x, value]), missing),
                            ComparisonOperator.Less => _graph.Apply("Less", [x, value]),
                            ComparisonOperator.LessOrEqual => _graph.Apply("LessOrEqual", [x, value]),
                            ComparisonOperator.Greater => _graph.Apply("Greater", [x, value]),
                            ComparisonOperator.GreaterOrEqual => _graph.Apply("GreaterOrEqual", [x, value]),
                            _ => throw new ArgumentOutOfRangeException(nameof(condition)),
                        };
                    }
                    case InNode { Values: var values } @in when values.All(v => v is NumberLiteral):
                    {
                        var any = values.Cast<NumberLiteral>().Select(v => v.Value).Distinct()
                            .Select(v => _graph.Apply("Equal", [x, _graph.Constant([v], 1)]))
                            .Aggregate((a, b) => _graph.Apply("Or", [a, b]));
                        return @in.Negated ? PresentAndNot(any, missing) : any;
                    }
                }
            }
            else
            {
                switch (condition)
                {
                    case MissingNode m:
                    {
                        var missing = TextEquals(name, "");
                        return m.Negated ? _graph.Apply("Not", [missing]) : missing;
                    }
                    case ComparisonNode { Value: StringLiteral s, Operator: ComparisonOperator.Equal or ComparisonOperator.NotEqual } c:
                        return c.Operator == ComparisonOperator.Equal ? TextEquals(name, s.Value) : PresentAndNot(TextEquals(name, s.Value), TextEquals(name, ""));
                    case InNode { Values: var values } @in when values.All(v => v is StringLiteral):
                    {
                        var any = values.Cast<StringLiteral>().Select(v => v.Value).Distinct(StringComparer.Ordinal)
                            .Select(v => TextEquals(name, v)).Aggregate((a, b) => _graph.Apply("Or", [a, b]));
                        return @in.Negated ? PresentAndNot(any, TextEquals(name, "")) : any;
                    }
                }
            }
            throw new ScoringInputException($"the condition on '{name}' does not fit its column's kind");
        }

        private string PresentAndNot(string test, string missing) =>
            _graph.Apply("And", [_graph.Apply("Not", [test]), _graph.Apply("Not", [missing])]);

        /// <summary>
        /// Rows whose text equals <paramref name="value"/> ("" = missing). Each text column is mapped once to int64 codes
        /// over every literal compared with it (missing → −2, other values → −1), so the test is an int64 Equal (string
        /// Equal needs opset 19). A literal "" matches nothing, as in the platform (no category is empty).
        /// </summary>
        private string TextEquals(string column, string value)
        {
            if (!_textCodes.TryGetValue(column, out var entry))
            {
                var literals = list.Nodes.Select(n => n.Group.Expression).OfType<string>()
                    .SelectMany(e => Literals(SubgroupExpression.Parse(e).Root, column)).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
                var index = new Dictionary<string, long>(StringComparer.Ordinal);
                for (var i = 0; i < literals.Count; i++) index[literals[i]] = i;
                var codes = _graph.Apply("LabelEncoder", [Flat(column)], OnnxGraphBuilder.MlDomain,
                    OnnxAttribute.Strings("keys_strings", ["", .. literals]),
                    OnnxAttribute.Ints("values_int64s", [-2L, .. Enumerable.Range(0, literals.Count).Select(i => (long)i)]),
                    OnnxAttribute.Int("default_int64", -1));
                entry = (codes, index);
                _textCodes[column] = entry;
            }
            var code = value.Length == 0 ? -2L : entry.Index.TryGetValue(value, out var c) ? c : -100L;
            return _graph.Apply("Equal", [entry.Codes, _graph.Constant([code], 1)]);
        }

        private static IEnumerable<string> Literals(ExpressionNode node, string column) => node switch
        {
            AndNode a => Literals(a.Left, column).Concat(Literals(a.Right, column)),
            OrNode o => Literals(o.Left, column).Concat(Literals(o.Right, column)),
            NotNode n => Literals(n.Operand, column),
            ComparisonNode { Value: StringLiteral s } c when c.Column.Name == column => [s.Value],
            InNode i when i.Column.Name == column => i.Values.OfType<StringLiteral>().Select(s => s.Value),
            _ => [],
        };

        // ---- helpers ------------------------------------------------------------------------------------------------

        private string Flat(string column)
        {
            if (_flat.TryGetValue(column, out var done)) return done;
            var flat = _graph.Apply("Reshape", [column, FlatShape()]);
            _flat[column] = flat;
            return flat;
        }

        private string FlatShape() => _flatShape ??= _graph.Constant([-1L], 1);

        private string Nan() => _nan ??= _graph.Constant([float.NaN], 1);

        private string DoubleConstant(float value) =>
            _graph.Apply("Cast", [_graph.Constant([value], 1)], "", OnnxAttribute.Int("to", DoubleType));
    }
}
