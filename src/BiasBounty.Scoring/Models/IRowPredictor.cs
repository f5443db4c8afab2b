using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Anything that predicts per row of a <see cref="Dataset"/>: an ONNX model, a model trained in memory, or a test
/// double. Implementations read only the feature columns.
/// </summary>
public interface IRowPredictor
{
    /// <summary>
    /// Predictions for the given rows, in the order given: for a classifier 1 (positive class) or 0, for a regression
    /// model the value, for a group model 1 (in the group) or 0. Empty <paramref name="rows"/> gives an empty array.
    /// </summary>
    float[] Predict(Dataset data, ReadOnlySpan<int> rows);
}

/// <summary>Conveniences over <see cref="IRowPredictor"/>.</summary>
public static class RowPredictorExtensions
{
    /// <summary>Predictions for every row of <paramref name="data"/>.</summary>
    public static float[] PredictAll(this IRowPredictor predictor, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(data);
        var rows = new int[data.RowCount];
        for (var i = 0; i < rows.Length; i++) rows[i] = i;
        return predictor.Predict(data, rows);
    }

    /// <summary>Predictions for the members of <paramref name="rows"/>, in ascending row order.</summary>
    public static float[] Predict(this IRowPredictor predictor, Dataset data, RowSet rows)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(rows);
        return predictor.Predict(data, rows.ToIndices());
    }
}
