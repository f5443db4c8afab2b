using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Anything that predicts per row: an ONNX model, a decision list, or an in-memory model in tests. Classification
/// predictions are 1 (positive class) or 0; regression predictions are values; group models answer 1 for members.
/// </summary>
public interface IRowPredictor
{
    /// <summary>Predictions for <paramref name="rows"/> of <paramref name="data"/>, in the same order.</summary>
    float[] Predict(Dataset data, ReadOnlySpan<int> rows);
}
