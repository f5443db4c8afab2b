namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>Debian's <c>chromium</c>, found on PATH (never a browser downloaded by Playwright).</summary>
public static class Chromium
{
    /// <summary>Overrides the search: the full path of a Chromium binary.</summary>
    public const string EnvironmentVariable = "BIASBOUNTY_CHROMIUM";

    /// <summary>The flags this machine kind needs: no sandbox as root, no GPU, and no connections to Google's services
    /// (the network is closed; they would be refused, many at a time).</summary>
    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    public static string ExecutablePath()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{EnvironmentVariable}={configured} does not exist");
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new InvalidOperationException(
            "The browser tests need Debian's Chromium and found no 'chromium' on PATH. Install it with " +
            "'apt-get install -y chromium' (as root; deploy/test.sh does this itself) or set " + EnvironmentVariable +
            " to a Chromium binary. Never 'playwright install'.");
    }
}
