using System.Diagnostics;
using System.Reflection;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Where a model host (<see cref="ModelHost"/>) is started from. In order: the program named by the environment variable
/// <see cref="EnvironmentVariable"/> (an executable, or a .dll run by <c>dotnet</c>); the program that registered itself
/// through <see cref="ModelHost.RunIfRequested"/> (<c>bbounty</c> or the web binary: the running executable itself, or
/// under <c>dotnet app.dll</c> and in test hosts, that .dll run by the same <c>dotnet</c>); else <c>bbounty.dll</c> or
/// <c>BiasBounty.Web.dll</c> beside this application, as in test projects that reference the CLI or the web project.
/// </summary>
public static class ModelHostLauncher
{
    /// <summary>Names the program to start model hosts from, when the running one should not be used.</summary>
    public const string EnvironmentVariable = "BIASBOUNTY_MODEL_HOST";

    private static readonly string[] Beside = ["bbounty", "BiasBounty.Web"];
    private static volatile Assembly? _registered;

    /// <summary>Records the program whose <c>Main</c> runs <see cref="ModelHost"/> on its hidden argument.</summary>
    public static void Register(Assembly program) => _registered = program;

    /// <summary>The command line that starts a model host: the file to run and its arguments.</summary>
    /// <exception cref="InvalidOperationException">No program that can host models was found.</exception>
    public static (string FileName, IReadOnlyList<string> Arguments) Command()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured) return For(configured);
        if (_registered is { } program)
        {
            var self = Environment.ProcessPath;
            if (program == Assembly.GetEntryAssembly() && self is not null && !IsDotnet(self)) return (self, [ModelHost.Argument]);
            if (program.Location is { Length: > 0 } location) return For(location);
        }
        foreach (var name in Beside)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, name + ".dll");
            if (File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))) return For(dll);
        }
        throw new InvalidOperationException(
            $"no program to run untrusted models in: call ModelHost.RunIfRequested at the top of Main, or set {EnvironmentVariable}");
    }

    /// <summary>Starts a host with its pipes; stderr is read and dropped (it could quote the data and is never logged).</summary>
    /// <summary>Starts a host from <paramref name="command"/> (see <see cref="Command"/>).</summary>
    internal static Process Start((string FileName, IReadOnlyList<string> Arguments) command)
    {
        var (fileName, arguments) = command;
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // One model, one thread of work: the workstation collector without a background thread keeps the heap small
        // (the web binary asks for the server collector), and quick start-up JIT matters more than steady-state code.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "0";
        start.Environment["DOTNET_TieredCompilation"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the model host did not start");
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static (string, IReadOnlyList<string>) For(string program) =>
        program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? (Dotnet(), [program, ModelHost.Argument]) : (program, [ModelHost.Argument]);

    /// <summary>The <c>dotnet</c> running this process if it is one, else the SDK's (tests), else the one on the PATH.</summary>
    private static string Dotnet() =>
        Environment.ProcessPath is { } self && IsDotnet(self) ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";

    private static bool IsDotnet(string path) => Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
