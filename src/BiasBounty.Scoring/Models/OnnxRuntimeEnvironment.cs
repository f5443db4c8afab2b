using Microsoft.ML.OnnxRuntime;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// The process's ONNX Runtime environment. A worker runs every model on one shared intra-op thread pool
/// (docs/scoring-rules.md: one thread pool per worker): the environment is created with global thread pools and each
/// session opts out of its own (<see cref="SessionOptions.DisablePerSessionThreads"/>). If something else in the
/// process created the ONNX Runtime environment first, sessions fall back to their own pools of
/// <see cref="ModelLimits.IntraOpThreads"/> threads.
/// <para>
/// The environment also registers one CPU arena that every session allocates its tensors from
/// (<c>session.use_env_allocators</c>), capped at <see cref="MaxArenaBytes"/>: an allocation past the cap fails inside
/// ONNX Runtime (the run fails; a smoke run is refused) instead of growing the process. The cap is for the whole
/// process, not per model: it is the backstop for tensors whose size depends on the data, which the static estimate
/// (<see cref="OnnxMemoryEstimate"/>) cannot see, and while one model fills it a concurrent run can fail too (on
/// hidden rows its batch then counts as wrong). Weights stay outside the arena
/// (<c>session.use_device_allocator_for_initializers</c>), so loaded models do not use up the cap, and each run hands
/// its unused arena regions back (<c>memory.enable_memory_arena_shrinkage</c>). Memory that kernels take outside the
/// allocator (e.g. the tree ensembles' own tables, string contents) is not counted.
/// </para>
/// </summary>
public static class OnnxRuntimeEnvironment
{
    /// <summary>2 GB: the default cap of the shared arena (the C API takes it as a 32-bit count, so at most 4 GB).</summary>
    public const long DefaultMaxArenaBytes = 2048L * ModelLimits.BytesPerMegabyte;

    private static readonly Lock Gate = new();
    private static int _configuredThreads;
    private static long _maxArenaBytes = DefaultMaxArenaBytes;
    private static bool? _global;
    private static bool _arena;

    /// <summary>
    /// Sets the size of the shared pool and the cap of the shared arena. Call before the first model is loaded; later
    /// calls with other values throw.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="intraOpThreads"/> is below 1, or <paramref name="maxArenaBytes"/> below 16 MB or above 4 GB.
    /// </exception>
    /// <exception cref="InvalidOperationException">The environment already exists with other values.</exception>
    public static void Configure(int intraOpThreads, long maxArenaBytes = DefaultMaxArenaBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArenaBytes, 16 * ModelLimits.BytesPerMegabyte);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxArenaBytes, uint.MaxValue);
        lock (Gate)
        {
            if (_global is not null && (_configuredThreads != intraOpThreads || _maxArenaBytes != maxArenaBytes))
                throw new InvalidOperationException(
                    $"the ONNX Runtime environment already runs with {_configuredThreads} threads and a {OnnxMemoryEstimate.FormatBytes(_maxArenaBytes)} arena");
            _configuredThreads = intraOpThreads;
            _maxArenaBytes = maxArenaBytes;
        }
    }

    /// <summary>The cap of the shared arena (see the class remarks).</summary>
    public static long MaxArenaBytes
    {
        get
        {
            lock (Gate) return _maxArenaBytes;
        }
    }

    /// <summary>Whether sessions allocate from the capped shared arena (false when the environment was created by other code).</summary>
    public static bool UsesCappedArena
    {
        get
        {
            EnsureCreated();
            lock (Gate) return _arena;
        }
    }

    /// <summary>Threads of the shared pool: the configured number, by default the machine's processor count.</summary>
    public static int IntraOpThreads
    {
        get
        {
            lock (Gate) return _configuredThreads > 0 ? _configuredThreads : Environment.ProcessorCount;
        }
    }

    /// <summary>Whether sessions share the global thread pool (false when the environment was created by other code).</summary>
    public static bool UsesGlobalThreadPool
    {
        get
        {
            EnsureCreated();
            lock (Gate) return _global!.Value;
        }
    }

    /// <summary>Session options for one model: graph optimisation on, sequential execution, the shared pool when there is one.</summary>
    internal static SessionOptions CreateSessionOptions(ModelLimits limits)
    {
        EnsureCreated();
        bool global, arena;
        lock (Gate) (global, arena) = (_global!.Value, _arena);
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        // Only the ONNX protobuf format: never ORT's own flatbuffer format from untrusted bytes.
        options.AddSessionConfigEntry("session.load_model_format", "ONNX");
        if (arena)
        {
            options.AddSessionConfigEntry("session.use_env_allocators", "1");
            options.AddSessionConfigEntry("session.use_device_allocator_for_initializers", "1");
        }
        if (global)
        {
            options.DisablePerSessionThreads();
        }
        else
        {
            options.IntraOpNumThreads = limits.IntraOpThreads;
            options.InterOpNumThreads = 1;
        }
        return options;
    }

    /// <summary>Run options that hand the arena's unused regions back to the system when the run ends.</summary>
    internal static RunOptions CreateRunOptions()
    {
        var options = new RunOptions();
        if (UsesCappedArena) options.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        return options;
    }

    /// <summary>Whether ONNX Runtime failed because the arena's cap refused an allocation.</summary>
    internal static bool IsOutOfMemory(OnnxRuntimeException e) =>
        e.Message.Contains("Available memory of", StringComparison.Ordinal) || e.Message.Contains("Failed to allocate memory", StringComparison.Ordinal);

    private static void EnsureCreated()
    {
        lock (Gate)
        {
            if (_global is not null) return;
            if (OrtEnv.IsCreated)
            {
                _global = false;
                return;
            }
            if (_configuredThreads == 0) _configuredThreads = Environment.ProcessorCount;
            var threading = new OrtThreadingOptions { GlobalIntraOpNumThreads = _configuredThreads, GlobalInterOpNumThreads = 1 };
            var options = new EnvironmentCreationOptions
            {
                logId = "biasbounty",
                logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
                threadOptions = threading,
            };
            var env = OrtEnv.CreateInstanceWithOptions(ref options);
            _global = true;
            // arena_extend_strategy 1 (kSameAsRequested): grow by what is asked, not in doubling regions that would
            // overshoot the cap; initial chunk and dead-bytes settings are ONNX Runtime's defaults (-1).
            using var arenaConfig = new OrtArenaCfg((uint)_maxArenaBytes, 1, -1, -1);
            using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            env.CreateAndRegisterAllocator(cpu, arenaConfig);
            _arena = true;
        }
    }
}
