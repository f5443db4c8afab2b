using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// One node of a binary decision tree over the float-tensor encoding. A split sends a row left when
/// <c>x[Feature] ≤ Threshold</c>, or when the value is missing (NaN) and <see cref="MissingGoesLeft"/>; a leaf
/// (<see cref="Left"/> = -1) holds <see cref="Value"/>.
/// </summary>
public readonly record struct TreeNode(int Feature, float Threshold, int Left, int Right, bool MissingGoesLeft, float Value)
{
    /// <summary>Whether the node is a leaf (it has no children).</summary>
    public bool IsLeaf => Left < 0;
}

/// <summary>A decision tree: nodes in pre-order, the root first.</summary>
public sealed record DecisionTree(IReadOnlyList<TreeNode> Nodes)
{
    /// <summary>The leaf value reached by one encoded row (same comparisons as ONNX Runtime's BRANCH_LEQ).</summary>
    public float Evaluate(ReadOnlySpan<float> row)
    {
        var node = Nodes[0];
        while (!node.IsLeaf)
        {
            var x = row[node.Feature];
            node = Nodes[x <= node.Threshold || (float.IsNaN(x) && node.MissingGoesLeft) ? node.Left : node.Right];
        }
        return node.Value;
    }

    /// <summary>Number of split levels below the root.</summary>
    public int Depth => DepthOf(0);

    private int DepthOf(int i) => Nodes[i].IsLeaf ? 0 : 1 + Math.Max(DepthOf(Nodes[i].Left), DepthOf(Nodes[i].Right));
}

/// <summary>How a tree ensemble's summed leaf values become a prediction.</summary>
public enum TreeEnsembleKind
{
    /// <summary>Boosted classifier: the sum plus the base score is a log-odds margin; positive when above 0.</summary>
    BoostedClassifier,

    /// <summary>A single classification tree whose leaves hold the positive-class share; positive when above 0.5.</summary>
    ProbabilityTree,

    /// <summary>Regression: the sum plus the base score is the prediction.</summary>
    Regressor,
}

/// <summary>A tree ensemble over the float-tensor encoding (<see cref="Coding"/>), trained in memory, exportable as ONNX.</summary>
public sealed record TreeEnsembleModel(FeatureCoding Coding, IReadOnlyList<DecisionTree> Trees, float BaseScore, TreeEnsembleKind Kind) : ITrainedModel
{
    /// <summary>Per row: for the classifiers 1 (positive, or in the group) or 0; for a regressor the value.</summary>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var scores = PredictScore(data, rows);
        switch (Kind)
        {
            case TreeEnsembleKind.BoostedClassifier:
                for (var i = 0; i < scores.Length; i++) scores[i] = scores[i] > 0 ? 1f : 0f;
                break;
            case TreeEnsembleKind.ProbabilityTree:
                for (var i = 0; i < scores.Length; i++) scores[i] = scores[i] > 0.5f ? 1f : 0f;
                break;
        }
        return scores;
    }

    /// <summary>
    /// Per row the raw score: the margin (boosted classifier), the positive share (probability tree) or the value.
    /// Summed in float, tree by tree, base score last: the order ONNX Runtime uses, so labels match it exactly.
    /// </summary>
    public float[] PredictScore(Dataset data, ReadOnlySpan<int> rows)
    {
        var width = Coding.Width;
        var x = Coding.Encode(data, rows);
        var result = new float[rows.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var row = x.AsSpan(i * width, width);
            var sum = 0f;
            foreach (var tree in Trees) sum += tree.Evaluate(row);
            result[i] = Kind == TreeEnsembleKind.ProbabilityTree ? sum : sum + BaseScore;
        }
        return result;
    }

    /// <summary>
    /// The model as ONNX on the float-tensor convention. Boosted classifier: ai.onnx.ml TreeEnsembleRegressor for the
    /// margin, then Greater(0), Cast and Reshape to the int64 <c>label</c> [N], plus <c>probability</c> = Sigmoid(margin).
    /// Probability tree: ai.onnx.ml TreeEnsembleClassifier (<c>label</c> [N] int64, <c>probabilities</c> [N, 2]).
    /// Regressor: TreeEnsembleRegressor, output <c>prediction</c> float [N, 1].
    /// </summary>
    public byte[] ToOnnx()
    {
        var graph = new OnnxGraphBuilder("tree_ensemble");
        graph.Input("X", OnnxElementType.Float, -1, Coding.Width);
        var nodes = new NodeAttributes(Trees);
        switch (Kind)
        {
            case TreeEnsembleKind.ProbabilityTree:
                graph.Node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], OnnxGraphBuilder.MlDomain,
                    [.. nodes.Attributes(),
                     OnnxAttribute.Ints("class_treeids", nodes.LeafTrees),
                     OnnxAttribute.Ints("class_nodeids", nodes.LeafNodes),
                     OnnxAttribute.Ints("class_ids", nodes.LeafTrees.Select(_ => 1L).ToArray()),
                     OnnxAttribute.Floats("class_weights", nodes.LeafValues),
                     OnnxAttribute.Ints("classlabels_int64s", [0, 1]),
                     OnnxAttribute.String("post_transform", "NONE")]);
                graph.Output("label", OnnxElementType.Int64, -1);
                graph.Output("probabilities", OnnxElementType.Float, -1, 2);
                break;
            case TreeEnsembleKind.BoostedClassifier:
                var margin = graph.Apply("TreeEnsembleRegressor", ["X"], OnnxGraphBuilder.MlDomain, RegressorAttributes(nodes));
                var positive = graph.Apply("Greater", [margin, graph.Constant([0f])]);
                var label = graph.Apply("Cast", [positive], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
                graph.Node("Reshape", [label, graph.Constant(new long[] { -1 }, 1)], ["label"]);
                graph.Node("Sigmoid", [margin], ["probability"]);
                graph.Output("label", OnnxElementType.Int64, -1);
                graph.Output("probability", OnnxElementType.Float, -1, 1);
                break;
            default:
                graph.Node("TreeEnsembleRegressor", ["X"], ["prediction"], OnnxGraphBuilder.MlDomain, RegressorAttributes(nodes));
                graph.Output("prediction", OnnxElementType.Float, -1, 1);
                break;
        }
        return graph.Metadata(FeatureCoding.MetadataKey, Coding.ToJson()).ToModelBytes();
    }

    private OnnxAttribute[] RegressorAttributes(NodeAttributes nodes) =>
    [
        .. nodes.Attributes(),
        OnnxAttribute.Int("n_targets", 1),
        OnnxAttribute.Ints("target_treeids", nodes.LeafTrees),
        OnnxAttribute.Ints("target_nodeids", nodes.LeafNodes),
        OnnxAttribute.Ints("target_ids", nodes.LeafTrees.Select(_ => 0L).ToArray()),
        OnnxAttribute.Floats("target_weights", nodes.LeafValues),
        OnnxAttribute.Floats("base_values", [BaseScore]),
        OnnxAttribute.String("aggregate_function", "SUM"),
        OnnxAttribute.String("post_transform", "NONE"),
    ];

    /// <summary>The parallel <c>nodes_*</c> arrays of ai.onnx.ml's tree ensemble operators, and the leaves' values.</summary>
    private sealed class NodeAttributes
    {
        private readonly List<long> _treeIds = [], _nodeIds = [], _featureIds = [], _trueIds = [], _falseIds = [], _missingTrue = [];
        private readonly List<string> _modes = [];
        private readonly List<float> _thresholds = [];

        public NodeAttributes(IReadOnlyList<DecisionTree> trees)
        {
            var leafTrees = new List<long>();
            var leafNodes = new List<long>();
            var leafValues = new List<float>();
            for (var t = 0; t < trees.Count; t++)
            {
                var nodes = trees[t].Nodes;
                for (var n = 0; n < nodes.Count; n++)
                {
                    var node = nodes[n];
                    _treeIds.Add(t);
                    _nodeIds.Add(n);
                    _featureIds.Add(node.IsLeaf ? 0 : node.Feature);
                    _modes.Add(node.IsLeaf ? "LEAF" : "BRANCH_LEQ");
                    _thresholds.Add(node.IsLeaf ? 0f : node.Threshold);
                    _trueIds.Add(node.IsLeaf ? 0 : node.Left);
                    _falseIds.Add(node.IsLeaf ? 0 : node.Right);
                    _missingTrue.Add(!node.IsLeaf && node.MissingGoesLeft ? 1 : 0);
                    if (node.IsLeaf)
                    {
                        leafTrees.Add(t);
                        leafNodes.Add(n);
                        leafValues.Add(node.Value);
                    }
                }
            }
            LeafTrees = leafTrees.ToArray();
            LeafNodes = leafNodes.ToArray();
            LeafValues = leafValues.ToArray();
        }

        public long[] LeafTrees { get; }

        public long[] LeafNodes { get; }

        public float[] LeafValues { get; }

        public OnnxAttribute[] Attributes() =>
        [
            OnnxAttribute.Ints("nodes_treeids", _treeIds),
            OnnxAttribute.Ints("nodes_nodeids", _nodeIds),
            OnnxAttribute.Ints("nodes_featureids", _featureIds),
            OnnxAttribute.Strings("nodes_modes", _modes),
            OnnxAttribute.Floats("nodes_values", _thresholds),
            OnnxAttribute.Ints("nodes_truenodeids", _trueIds),
            OnnxAttribute.Ints("nodes_falsenodeids", _falseIds),
            OnnxAttribute.Ints("nodes_missing_value_tracks_true", _missingTrue),
        ];
    }
}
