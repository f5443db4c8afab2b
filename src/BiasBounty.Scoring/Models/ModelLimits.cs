namespace BiasBounty.Scoring.Models;

/// <summary>What a model does in a competition, which decides what its first output must hold.</summary>
public enum ModelRole
{
    /// <summary>Predicts the label: a class (1/0 after mapping through the label's domain) or, for regression, a number.</summary>
    Predictor,

    /// <summary>Defines a group: 1 means the row is in the group, 0 that it is not.</summary>
    Group,
}

/// <summary>Resource limits for running an untrusted model (docs/scoring-rules.md).</summary>
/// <param name="MaxModelBytes">Largest accepted file; default 50 MB (of 1,048,576 bytes).</param>
/// <param name="MaxInferenceTime">Longest one prediction call (all of its batches together) may take.</param>
/// <param name="BatchRows">
/// Rows per ONNX Runtime call; bounds the memory a call needs. 16,384 rows keep a batch's tensors in cache and let
/// ONNX Runtime reuse its buffers: on 100,000 rows it ran a logistic model about twice as fast as 65,536.
/// </param>
/// <param name="IntraOpThreads">
/// Threads per session, used only when the process has no shared ONNX Runtime thread pool
/// (see <see cref="OnnxRuntimeEnvironment"/>).
/// </param>
/// <param name="MaxSmokeBytes">
/// Largest tensor a model may need for the <see cref="OnnxModel.SmokeRows"/>-row smoke run, by the static estimate
/// of <see cref="OnnxMemoryEstimate"/>; a model over it is refused at load. Default 256 MB.
/// </param>
/// <param name="MaxBatchBytes">
/// Largest tensor a model may need for one prediction batch, by the same estimate: a model whose tensors grow with
/// the rows runs in batches small enough to stay under it, and one that needs more for a single row is refused.
/// Default 512 MB.
/// </param>
public sealed record ModelLimits(
    long MaxModelBytes = ModelLimits.DefaultMaxModelBytes,
    TimeSpan? MaxInferenceTime = null,
    int BatchRows = 16_384,
    int IntraOpThreads = 1,
    long MaxSmokeBytes = ModelLimits.DefaultMaxSmokeBytes,
    long MaxBatchBytes = ModelLimits.DefaultMaxBatchBytes)
{
    /// <summary>50 MB.</summary>
    public const long DefaultMaxModelBytes = 50L * BytesPerMegabyte;

    /// <summary>256 MB.</summary>
    public const long DefaultMaxSmokeBytes = 256L * BytesPerMegabyte;

    /// <summary>512 MB.</summary>
    public const long DefaultMaxBatchBytes = 512L * BytesPerMegabyte;

    /// <summary>How error messages count a megabyte.</summary>
    public const long BytesPerMegabyte = 1024 * 1024;

    /// <summary>
    /// The limits used when none are given: 50 MB files, 60 s per prediction call, 16,384 rows per batch, 256 MB for
    /// the smoke run and 512 MB per batch.
    /// </summary>
    public static ModelLimits Default { get; } = new();

    /// <summary><see cref="MaxInferenceTime"/> with its default of 60 seconds applied.</summary>
    public TimeSpan InferenceTimeout => MaxInferenceTime ?? TimeSpan.FromSeconds(60);
}
