namespace BiasBounty.Scoring.Tests;

/// <summary>Paths to the project's own copies of the real datasets (deploy/demo-data).</summary>
public static class TestData
{
    public static string Folder { get; } = FindFolder();

    public static string Path(string file) => System.IO.Path.Combine(Folder, file);

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "deploy", "demo-data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("deploy/demo-data not found above " + AppContext.BaseDirectory);
    }
}
