namespace BiasBounty.Scoring.Models;

/// <summary>A model trained in memory by the platform's own trainers: it predicts directly and exports itself as ONNX.</summary>
public interface ITrainedModel : IRowPredictor
{
    /// <summary>The encoding of the float-tensor input <c>X</c> the model was trained with.</summary>
    FeatureCoding Coding { get; }

    /// <summary>The model as ONNX bytes, on the float-tensor convention (input <c>X [N, F]</c>).</summary>
    byte[] ToOnnx();
}
