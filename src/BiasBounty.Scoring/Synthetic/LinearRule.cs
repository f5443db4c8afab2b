using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Synthetic;

/// <summary>
/// A known linear classifier over the float-tensor encoding of the feature columns (numeric value, or categorical
/// code): predicts 1 when w·x + b &gt; 0. The ground truth of synthetic competitions, runnable in memory and
/// exportable to ONNX.
/// </summary>
public sealed record LinearRule(float[] Weights, float Bias) : IRowPredictor
{
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var features = data.FeatureColumns;
        if (features.Count != Weights.Length)
            throw new ArgumentException($"the rule has {Weights.Length} weights for {features.Count} feature columns", nameof(data));
        var scores = new double[rows.Length];
        for (var f = 0; f < features.Count; f++)
        {
            var w = Weights[f];
            if (w == 0) continue;
            for (var i = 0; i < rows.Length; i++) scores[i] += w * FeatureValue(features[f], rows[i]);
        }
        var result = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++) result[i] = scores[i] + Bias > 0 ? 1f : 0f;
        return result;
    }

    /// <summary>The float-tensor encoding of one cell: the number, or the category's code; NaN when missing.</summary>
    public static float FeatureValue(Column column, int row) => column switch
    {
        NumericColumn n => n.Values[row],
        CategoricalColumn c => c.Codes[row] < 0 ? float.NaN : c.Codes[row],
        _ => float.NaN,
    };
}
