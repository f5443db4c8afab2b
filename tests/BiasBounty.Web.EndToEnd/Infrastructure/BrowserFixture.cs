using Microsoft.Playwright;

namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>
/// One platform (<see cref="KestrelPlatform"/>) and one headless Chromium for every browser test: starting the platform
/// seeds the demo competition (it trains a baseline) and a browser start costs a second or two, so both are shared.
/// Each test gets a fresh browser context (no cookies) through <see cref="SessionAsync"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public KestrelPlatform Platform { get; } = new();

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var chromium = Chromium.ExecutablePath(); // fail before the platform starts if there is no browser
        Assertions.SetDefaultExpectTimeout(15_000); // Playwright's 5 s is short for a 2-core CI machine
        await ((IAsyncLifetime)Platform).InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = Chromium.Arguments,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        await ((IAsyncLifetime)Platform).DisposeAsync();
    }

    /// <summary>A new, anonymous browser session whose screenshots go under <paramref name="testName"/>.</summary>
    public async Task<BrowserSession> SessionAsync(string testName)
    {
        var context = await (_browser ?? throw new InvalidOperationException("the browser is not started")).NewContextAsync(
            new BrowserNewContextOptions
            {
                BaseURL = Platform.BaseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                Locale = "en-US",
            });
        context.SetDefaultTimeout(20_000);
        context.SetDefaultNavigationTimeout(30_000);
        return new BrowserSession(context, await context.NewPageAsync(), testName);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
