using Microsoft.ML.OnnxRuntime;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// The process's ONNX Runtime environment. A worker runs every model on one shared intra-op thread pool
/// (SCORING.md section 7: one thread pool per worker): the environment is created with global thread pools and each
/// session opts out of its own (<see cref="SessionOptions.DisablePerSessionThreads"/>). If something else in the
/// process created the ONNX Runtime environment first, sessions fall back to their own pools of
/// <see cref="ModelLimits.IntraOpThreads"/> threads.
/// </summary>
public static class OnnxRuntimeEnvironment
{
    private static readonly Lock Gate = new();
    private static int _configuredThreads;
    private static bool? _global;

    /// <summary>
    /// Sets the size of the shared pool. Call before the first model is loaded; later calls with another size throw.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="intraOpThreads"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">The environment already exists with another size.</exception>
    public static void Configure(int intraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        lock (Gate)
        {
            if (_global is not null && _configuredThreads != intraOpThreads)
                throw new InvalidOperationException($"the ONNX Runtime environment already runs with {_configuredThreads} threads");
            _configuredThreads = intraOpThreads;
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
        bool global;
        lock (Gate) global = _global!.Value;
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        // Only the ONNX protobuf format: never ORT's own flatbuffer format from untrusted bytes.
        options.AddSessionConfigEntry("session.load_model_format", "ONNX");
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
            OrtEnv.CreateInstanceWithOptions(ref options);
            _global = true;
        }
    }
}
