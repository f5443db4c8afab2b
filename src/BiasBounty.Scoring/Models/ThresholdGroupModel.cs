using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>Comparisons a threshold group can make.</summary>
public enum ThresholdComparison
{
    /// <summary><c>x &gt; t</c>.</summary>
    Greater,

    /// <summary><c>x ≥ t</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>x &lt; t</c>.</summary>
    Less,

    /// <summary><c>x ≤ t</c>.</summary>
    LessOrEqual,

    /// <summary><c>x = t</c>.</summary>
    Equal,
}

/// <summary>
/// A group model on one column of the float-tensor encoding: in the group (1) when <c>x[Column] op Threshold</c>,
/// otherwise (and when the value is missing) 0. For a categorical column the threshold is a code of the coding.
/// </summary>
public sealed record ThresholdGroupModel(FeatureCoding Coding, string Column, ThresholdComparison Comparison, float Threshold) : ITrainedModel
{
    /// <summary>1 when the row is in the group, else 0.</summary>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var index = ColumnIndex();
        var x = Coding.Encode(data, rows);
        var result = new float[rows.Length];
        for (var i = 0; i < result.Length; i++) result[i] = Test(x[i * Coding.Width + index]) ? 1f : 0f;
        return result;
    }

    /// <summary>The model as ONNX: Gather the column, compare (Greater, Less, Equal, …), Cast to the int64 output <c>in_group</c> [N].</summary>
    public byte[] ToOnnx()
    {
        var graph = new OnnxGraphBuilder("threshold_group");
        graph.Input("X", OnnxElementType.Float, -1, Coding.Width);
        var column = graph.Apply("Gather", ["X", graph.Constant(new long[] { ColumnIndex() })], "", OnnxAttribute.Int("axis", 1));
        var test = graph.Apply(Comparison.ToString(), [column, graph.Constant([Threshold])]);
        graph.Node("Cast", [test], ["in_group"], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
        graph.Output("in_group", OnnxElementType.Int64, -1);
        return graph.Metadata(FeatureCoding.MetadataKey, Coding.ToJson()).ToModelBytes();
    }

    private bool Test(float x) => Comparison switch
    {
        ThresholdComparison.Greater => x > Threshold,
        ThresholdComparison.GreaterOrEqual => x >= Threshold,
        ThresholdComparison.Less => x < Threshold,
        ThresholdComparison.LessOrEqual => x <= Threshold,
        _ => x == Threshold,
    };

    private int ColumnIndex()
    {
        var index = Coding.IndexOf(Column);
        return index >= 0 ? index : throw new ArgumentException($"'{Column}' is not a feature column of the coding", nameof(Column));
    }
}
