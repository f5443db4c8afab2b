namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>Where screenshots go: <c>artifacts/test-results/screenshots</c> of the repository (deploy/test.sh's results
/// folder, kept by CI as test artefacts), or <c>BIASBOUNTY_SCREENSHOTS</c> when set.</summary>
public static class Screenshots
{
    public const string EnvironmentVariable = "BIASBOUNTY_SCREENSHOTS";

    public static string Folder { get; } = Resolve();

    private static string Resolve()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BiasBounty.sln")))
                return Path.Combine(dir.FullName, "artifacts", "test-results", "screenshots");
        }
        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }
}
