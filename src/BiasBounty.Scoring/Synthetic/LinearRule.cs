using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Synthetic;

/// <summary>
/// A known linear classifier over the float-tensor encoding of the feature columns (<see cref="FeatureCoding"/>):
/// predicts 1 when w·x + b &gt; 0. The ground truth of synthetic competitions, run in memory.
/// </summary>
public sealed record LinearRule(float[] Weights, float Bias) : IRowPredictor
{
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var coding = FeatureCoding.Of(data);
        if (coding.Width != Weights.Length)
            throw new ArgumentException($"the rule has {Weights.Length} weights for {coding.Width} feature columns", nameof(data));
        var x = coding.Encode(data, rows);
        var result = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            double score = Bias;
            for (var f = 0; f < Weights.Length; f++)
                if (Weights[f] != 0) score += Weights[f] * x[i * Weights.Length + f];
            result[i] = score > 0 ? 1f : 0f;
        }
        return result;
    }
}
