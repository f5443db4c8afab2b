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

/// <summary>A loaded ONNX model, run in this process (<see cref="OnnxModel"/>) or in a model host (<see cref="HostedOnnxModel"/>).</summary>
public interface IOnnxModel : IRowPredictor, IDisposable
{
    /// <summary>The smoke run of gate 1 on the first 16 rows of <paramref name="sample"/> (public rows); errors name rows and values.</summary>
    /// <exception cref="ModelValidationException">The model fails, is too slow, uses too much memory, or predicts outside the domain.</exception>
    void Validate(Dataset sample);

    /// <summary>Rows per ONNX Runtime call.</summary>
    int BatchRows { get; }

    /// <summary>Which input convention the model's inputs follow.</summary>
    OnnxInputConvention Convention { get; }

    /// <summary>The feature columns the model reads.</summary>
    IReadOnlyList<string> InputColumns { get; }
}

/// <summary>Who supplied a model, which decides where it runs (docs/scoring-rules.md).</summary>
public enum ModelTrust
{
    /// <summary>A participant's upload (a fix or a group model), at any stage: it runs in a model host with a hard memory bound.</summary>
    Untrusted,

    /// <summary>The organizer's own base model, who holds the holdout anyway: it runs in this process, on every row.</summary>
    Trusted,
}
