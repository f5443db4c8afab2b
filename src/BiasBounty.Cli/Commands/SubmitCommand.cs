using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace BiasBounty.Cli.Commands;

/// <summary>What <c>submit</c> reaches outside the process; tests replace the network and the clock.</summary>
internal sealed record SubmitEnvironment(Func<HttpMessageHandler> Handler, Func<string, string?> Variable, TimeSpan PollInterval)
{
    public static readonly SubmitEnvironment Default = new(() => new HttpClientHandler(), Environment.GetEnvironmentVariable, TimeSpan.FromSeconds(3));
}

/// <summary>
/// <c>bbounty submit</c>: a submission through the platform's REST API (docs/api.md). The token is read from
/// <c>BBOUNTY_TOKEN</c> only, never from the command line, so it stays out of shell history and process lists.
/// </summary>
public static class SubmitCommand
{
    public const string Usage = "bbounty submit --url URL --competition SLUG --group \"EXPR\" [--fix FILE] [--metric M] [--wait] [--json]   (token in BBOUNTY_TOKEN)";

    public const string TokenVariable = "BBOUNTY_TOKEN";

    /// <summary>Exit code when <c>--wait</c> ends in a refused or failed submission.</summary>
    public const int NotScored = 3;

    private static readonly string[] FinalStates = ["scored", "refused", "failed"];

    internal static int Run(CommandLine args, TextWriter output, SubmitEnvironment environment)
    {
        var url = args.Required("url", "https://bounty.example.org");
        var slug = args.Required("competition", "adult-income-demo");
        var group = args.Required("group", "\"age >= 60\"");
        var fixPath = args.Optional("fix");
        var metric = args.Optional("metric");
        var wait = args.Flag("wait");
        var json = args.Flag("json");
        args.RejectUnknown();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            throw new UsageException($"--url must be the platform's http(s) address, not '{url}'");
        var token = environment.Variable(TokenVariable) is { Length: > 0 } t ? t.Trim()
            : throw new UsageException($"set {TokenVariable} to a personal access token (create one at {url.TrimEnd('/')}/account/tokens)");
        if (fixPath is not null && !File.Exists(fixPath)) throw new UsageException($"--fix: no such file '{fixPath}'");

        using var client = new HttpClient(environment.Handler()) { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return RunAsync(client, slug, group, fixPath, metric, wait, json, output, environment.PollInterval).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(HttpClient client, string slug, string group, string? fixPath, string? metric, bool wait, bool json,
        TextWriter output, TimeSpan pollInterval)
    {
        using var form = new MultipartFormDataContent { { new StringContent(group), "expression" } };
        if (metric is not null) form.Add(new StringContent(metric), "metric");
        if (fixPath is not null)
        {
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(fixPath));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "fix", Path.GetFileName(fixPath));
        }
        var accepted = await SendAsync(client, () => client.PostAsync($"api/v1/competitions/{Uri.EscapeDataString(slug)}/submissions", form));
        var id = accepted.GetProperty("id").GetString()!;
        if (!wait)
        {
            output.WriteLine(json ? accepted.GetRawText() : $"submitted: {id}");
            return 0;
        }
        if (!json) output.WriteLine($"submitted: {id}; waiting for the verdict…");
        while (true)
        {
            var status = await SendAsync(client, () => client.GetAsync($"api/v1/submissions/{id}"));
            var state = status.GetProperty("state").GetString();
            if (FinalStates.Contains(state))
            {
                output.WriteLine(json ? status.GetRawText() : Verdict(status));
                return state == "scored" ? 0 : NotScored;
            }
            await Task.Delay(pollInterval);
        }
    }

    /// <summary>The answer's JSON; a refusal becomes one line (exit 2), after waiting out a rate limit once.</summary>
    private static async Task<JsonElement> SendAsync(HttpClient client, Func<Task<HttpResponseMessage>> send)
    {
        HttpResponseMessage response;
        try
        {
            response = await send();
            if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } delay && delay <= TimeSpan.FromMinutes(1))
            {
                await Task.Delay(delay);
                response = await send();
            }
        }
        catch (HttpRequestException e)
        {
            throw new UsageException($"cannot reach {client.BaseAddress}: {e.Message}");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            JsonElement? parsed = null;
            try { parsed = JsonDocument.Parse(body).RootElement.Clone(); }
            catch (JsonException) { /* not JSON: said below */ }
            if (response.IsSuccessStatusCode && parsed is { } ok) return ok;
            throw new UsageException($"{(int)response.StatusCode} {Problem(parsed) ?? response.ReasonPhrase}");
        }
    }

    /// <summary>A ProblemDetails answer in one line: the field messages, else the detail or title.</summary>
    private static string? Problem(JsonElement? problem)
    {
        if (problem is not { ValueKind: JsonValueKind.Object } p) return null;
        if (p.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            return string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
        return p.TryGetProperty("detail", out var detail) ? detail.GetString()
            : p.TryGetProperty("title", out var title) ? title.GetString() : null;
    }

    private static string Verdict(JsonElement status)
    {
        var lines = new List<string> { $"state: {status.GetProperty("state").GetString()}" };
        if (status.TryGetProperty("verdict", out var verdict) && verdict.ValueKind == JsonValueKind.Object)
            lines.Add($"summary: {verdict.GetProperty("summary").GetString()}");
        else if (status.TryGetProperty("failureReason", out var reason) && reason.ValueKind == JsonValueKind.String)
            lines.Add($"reason: {reason.GetString()}");
        if (status.TryGetProperty("points", out var points) && points.ValueKind == JsonValueKind.Number)
            lines.Add($"points: {points.GetDouble().ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}");
        return string.Join(Environment.NewLine, lines);
    }
}
