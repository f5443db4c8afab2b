using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests;

/// <summary>
/// Creates the platform's ONNX Runtime environment (shared thread pool, capped arena) before any test runs. Some tests
/// open a plain <c>InferenceSession</c> to check an exported file as another tool would; when one of them ran first,
/// ONNX Runtime's default environment was created instead, and the tests of the pool and the arena cap failed,
/// depending on the order the tests ran in (a clean-clone run).
/// </summary>
internal static class OnnxEnvironmentFirst
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "A test assembly: the environment must exist before any test, in whatever order they run.")]
    internal static void Create() => _ = OnnxRuntimeEnvironment.UsesGlobalThreadPool;
}
