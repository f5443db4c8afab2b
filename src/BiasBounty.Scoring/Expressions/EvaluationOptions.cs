namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// Process-wide settings of <see cref="CompiledGroup.Evaluate(BiasBounty.Scoring.Data.Dataset)"/>. A worker that runs
/// several jobs at once can limit each evaluation to fewer threads (or to the calling thread) here, or per call with
/// <see cref="CompiledGroup.Evaluate(BiasBounty.Scoring.Data.Dataset, int)"/>. The result never depends on the setting.
/// </summary>
public static class EvaluationOptions
{
    /// <summary>Datasets with fewer rows are always evaluated on the calling thread.</summary>
    public const int ParallelThresholdRows = 262_144;

    private static int _maxDegreeOfParallelism = -1;

    /// <summary>
    /// Most threads one evaluation uses: -1 (the default) for one per processor, 1 for the calling thread only.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below -1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref _maxDegreeOfParallelism);
        set => Volatile.Write(ref _maxDegreeOfParallelism, Validate(value, nameof(value)));
    }

    internal static int Validate(int maxDegreeOfParallelism, string parameterName) =>
        maxDegreeOfParallelism is -1 or >= 1
            ? maxDegreeOfParallelism
            : throw new ArgumentOutOfRangeException(parameterName, maxDegreeOfParallelism, "must be -1 (one thread per processor) or at least 1");
}
