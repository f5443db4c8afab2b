namespace BiasBounty.Scoring.Models;

/// <summary>What a model does in a competition, which decides what its first output must hold.</summary>
public enum ModelRole
{
    /// <summary>Predicts the label: a class (1/0 after mapping through the label's domain) or, for regression, a number.</summary>
    Predictor,

    /// <summary>Defines a group: 1 means the row is in the group, 0 that it is not.</summary>
    Group,
}

/// <summary>Resource limits for running an untrusted model (SCORING.md section 7).</summary>
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
public sealed record ModelLimits(
    long MaxModelBytes = ModelLimits.DefaultMaxModelBytes,
    TimeSpan? MaxInferenceTime = null,
    int BatchRows = 16_384,
    int IntraOpThreads = 1)
{
    /// <summary>50 MB.</summary>
    public const long DefaultMaxModelBytes = 50L * BytesPerMegabyte;

    /// <summary>How error messages count a megabyte.</summary>
    public const long BytesPerMegabyte = 1024 * 1024;

    /// <summary>The limits used when none are given: 50 MB, 60 s per prediction call, 16,384 rows per batch.</summary>
    public static ModelLimits Default { get; } = new();

    /// <summary><see cref="MaxInferenceTime"/> with its default of 60 seconds applied.</summary>
    public TimeSpan InferenceTimeout => MaxInferenceTime ?? TimeSpan.FromSeconds(60);
}
