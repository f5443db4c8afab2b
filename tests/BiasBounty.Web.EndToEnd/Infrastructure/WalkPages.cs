using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>Steps the issue-4 walks share: opening an interactive page, reading amounts, fetching a CSV as the user.</summary>
public static partial class WalkPages
{
    /// <summary>
    /// Waits until the page's address matches <paramref name="pattern"/>. Playwright's own <c>WaitForURLAsync</c> is not
    /// used: when the navigation has already finished it waits for <c>load</c> whatever <c>WaitUntil</c> says, and its
    /// check-then-subscribe can miss the event (microsoft/playwright-dotnet#3365, #3364); on a fast CI machine that hung
    /// a login for 30 s. <c>ToHaveURLAsync</c> polls the address, so there is no event to miss.
    /// </summary>
    public static Task ExpectUrlAsync(IPage page, Regex pattern, float timeout = 30_000) =>
        Assertions.Expect(page).ToHaveURLAsync(pattern, new() { Timeout = timeout });

    /// <summary>
    /// Opens a page; when it holds interactive-server components (the prerendered <c>Blazor:{"type":"server"</c>
    /// markers), waits for its circuit, so that what the walk types or clicks reaches the server. The contract leaves
    /// the render mode of some pages open (a read-only organizer page may be static SSR), so this works for both.
    /// </summary>
    public static async Task OpenAsync(BrowserSession session, string url)
    {
        var mark = BrowserSession.Mark();
        var response = await session.Page.GotoAsync(url);
        Assert.True(response is { Ok: true }, $"GET {url} answered {response?.Status}");
        if ((await response!.TextAsync()).Contains(InteractiveServerMarker, StringComparison.Ordinal)) await session.InteractiveAsync(mark);
    }

    private const string InteractiveServerMarker = "Blazor:{\"type\":\"server\"";

    /// <summary>Checks that a link leads to <paramref name="path"/> (relative to the site) and opens its target as
    /// <see cref="OpenAsync"/> does.</summary>
    public static async Task FollowAsync(BrowserSession session, ILocator link, string path)
    {
        await Expect(link).ToBeVisibleAsync();
        var href = await link.GetAttributeAsync("href") ?? "";
        Assert.True(href.TrimStart('/').Equals(path, StringComparison.OrdinalIgnoreCase), $"the link points at \"{href}\", not {path}");
        await OpenAsync(session, path);
    }

    /// <summary>Chooses a filter's option and applies it: an interactive page applies it on change; a static page's GET
    /// form needs its submit button, which is clicked when the select sits in a form that has one.</summary>
    public static async Task FilterAsync(ILocator select, string containing)
    {
        await SelectOptionContainingAsync(select, containing);
        var submit = select.Locator("xpath=ancestor::form[1]").Locator("button[type=submit], button:not([type]), input[type=submit]");
        if (await submit.CountAsync() > 0) await submit.First.ClickAsync();
    }

    /// <summary>The first amount in a cell such as "USD 1,234.50" or "€12.00" (grouping commas allowed).</summary>
    public static decimal Amount(string text)
    {
        var match = AmountPattern().Match(text);
        Assert.True(match.Success, $"no amount in \"{text}\"");
        return decimal.Parse(match.Value.Replace(",", ""), NumberStyles.Number, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")]
    private static partial Regex AmountPattern();

    /// <summary>Fetches a link's target with the browser's cookies (as the signed-in user) and returns its text,
    /// after checking that it is a CSV download.</summary>
    public static async Task<string> FetchCsvAsync(IPage page, ILocator link)
    {
        Assert.False(string.IsNullOrEmpty(await link.GetAttributeAsync("href")), "the export link has no href");
        var url = await link.EvaluateAsync<string>("a => a.href"); // resolved as the browser does, against <base href>
        var response = await page.APIRequest.GetAsync(url);
        Assert.True(response.Ok, $"GET {url} answered {response.Status}");
        Assert.Contains("csv", response.Headers.GetValueOrDefault("content-type", ""), StringComparison.OrdinalIgnoreCase);
        return await response.TextAsync();
    }

    /// <summary>Selects the option whose value or label contains <paramref name="text"/> (case-insensitive); returns its value.</summary>
    public static async Task<string> SelectOptionContainingAsync(ILocator select, string text)
    {
        await Expect(select).ToBeVisibleAsync();
        var options = (await select.Locator("option").EvaluateAllAsync<string[]>(
                "options => options.map(o => o.value + '\\u0001' + (o.textContent ?? ''))"))
            .Select(o => o.Split('\u0001', 2)).Select(p => new OptionText(p[0], p[1])).ToList();
        var option = options.FirstOrDefault(o => o.Value.Contains(text, StringComparison.OrdinalIgnoreCase))
            ?? options.FirstOrDefault(o => o.Label.Contains(text, StringComparison.OrdinalIgnoreCase));
        Assert.True(option is not null, $"no option containing \"{text}\" among: {string.Join(", ", options.Select(o => $"{o.Value}={o.Label.Trim()}"))}");
        await select.SelectOptionAsync(option.Value);
        return option.Value;
    }

    public sealed record OptionText(string Value, string Label);

    /// <summary>A suffix that keeps team names unique across runs and tests.</summary>
    /// <summary>Fills the expression and waits for the live status; fills again if the first input raced the circuit.</summary>
    public static async Task TypeExpressionAsync(IPage page, string expression, string expectStatus)
    {
        var input = page.GetByTestId("expression");
        var status = page.GetByTestId("expression-status");
        for (var attempt = 1; ; attempt++)
        {
            await input.FillAsync("");
            await input.FillAsync(expression);
            try
            {
                await Expect(status).ToContainTextAsync(expectStatus, new() { IgnoreCase = true, Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                // typed before the circuit attached, or a debounce swallowed it: type again
            }
        }
    }

    public static string Unique() => Guid.NewGuid().ToString("N")[..6];
}
