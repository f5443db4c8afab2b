using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>One user's browser (a fresh context) and the screenshots taken along the way, numbered in order under
/// <c>screenshots/&lt;test&gt;/</c>.</summary>
public sealed partial class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly string _folder;
    private int _shots;

    public BrowserSession(IBrowserContext context, IPage page, string testName)
    {
        _context = context;
        Page = page;
        _folder = Path.Combine(Screenshots.Folder, testName);
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        Directory.CreateDirectory(_folder);
        Page.Console += (_, message) => { if (message.Type == "error") ConsoleErrors.Add(message.Text); };
        Page.WebSocket += (_, socket) =>
        {
            if (socket.Url.Contains("/_blazor", StringComparison.Ordinal))
                socket.FrameReceived += (_, _) => Interlocked.Exchange(ref _lastCircuitFrame, DateTime.UtcNow.Ticks);
        };
    }

    private long _lastCircuitFrame;

    /// <summary>A point in time to pass to <see cref="InteractiveAsync"/>: take it before the navigation.</summary>
    public static DateTime Mark() => DateTime.UtcNow;

    /// <summary>
    /// Waits until an interactive-server page is live: its Blazor circuit (the <c>_blazor</c> WebSocket) has sent
    /// something since <paramref name="since"/> and then been quiet for a moment, so that the prerendered HTML has been
    /// attached and typing or clicking reaches the server. Before that, input to a prerendered page is lost.
    /// </summary>
    public async Task InteractiveAsync(DateTime since, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var last = new DateTime(Interlocked.Read(ref _lastCircuitFrame), DateTimeKind.Utc);
            if (last > since && DateTime.UtcNow - last > TimeSpan.FromMilliseconds(400)) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Page.Url} (heading \"{await FirstHeadingAsync()}\") did not become interactive: " +
                    $"no Blazor circuit traffic since {since:O}");
            await Task.Delay(100);
        }
    }

    public IPage Page { get; }

    /// <summary>Errors the page wrote to the browser console (a failed Blazor circuit shows up here).</summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Saves a full-page screenshot named after the step, e.g. <c>03-registered.png</c>.</summary>
    public async Task ShotAsync(string step)
    {
        var name = $"{++_shots:00}-{Unsafe().Replace(step, "-")}.png";
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_folder, name), FullPage = true });
    }

    /// <summary>Saves a screenshot of one element (a box too small to read in a full-page shot at phone width).</summary>
    public async Task ShotAsync(string step, ILocator element)
    {
        var name = $"{++_shots:00}-{Unsafe().Replace(step, "-")}.png";
        // The fixed header would cover part of an element taller than the window: the window grows to hold it with a margin.
        var size = Page.ViewportSize;
        var box = await element.BoundingBoxAsync();
        if (size is not null && box is not null && box.Height + 200 > size.Height) await Page.SetViewportSizeAsync(size.Width, (int)box.Height + 200);
        await element.ScrollIntoViewIfNeededAsync();
        await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(_folder, name) });
        if (size is not null) await Page.SetViewportSizeAsync(size.Width, size.Height);
    }

    /// <summary>Runs a test's steps; on failure saves a last screenshot (and the page's console errors) before rethrowing.</summary>
    public async Task RunAsync(Func<IPage, Task> steps)
    {
        try
        {
            await steps(Page);
        }
        catch
        {
            try
            {
                await ShotAsync("failed");
                await File.WriteAllTextAsync(Path.Combine(_folder, "failed.txt"),
                    $"url: {Page.Url}\nconsole errors:\n{string.Join('\n', ConsoleErrors)}\n");
            }
            catch
            {
                // the failure itself matters more than its screenshot
            }
            throw;
        }
    }

    private async Task<string> FirstHeadingAsync()
    {
        var headings = await Page.Locator("h1, h2, h3").AllInnerTextsAsync();
        return headings.FirstOrDefault()?.Trim() ?? "";
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    [GeneratedRegex("[^A-Za-z0-9-]+")]
    private static partial Regex Unsafe();
}
