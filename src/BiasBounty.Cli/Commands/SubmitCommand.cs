using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// What <c>submit</c> reaches outside the process; tests replace the network and the clock (<see cref="Delay"/> and
/// <see cref="Now"/>), so a <c>--timeout</c> can run out without the test sleeping.
/// </summary>
internal sealed record SubmitEnvironment(Func<HttpMessageHandler> Handler, Func<string, string?> Variable, TimeSpan PollInterval,
    Func<TimeSpan, Task> Delay, Func<DateTimeOffset> Now)
{
    public static readonly SubmitEnvironment Default = new(() => new HttpClientHandler(), Environment.GetEnvironmentVariable, TimeSpan.FromSeconds(3),
        delay => Task.Delay(delay), () => DateTimeOffset.UtcNow);
}

/// <summary>
/// <c>bbounty submit</c>: a submission through the platform's REST API (docs/api.md). The token is read from
/// <c>BBOUNTY_TOKEN</c> only, never from the command line, so it stays out of shell history and process lists.
/// </summary>
public static class SubmitCommand
{
    public const string Usage = "bbounty submit --url URL --competition SLUG --group \"EXPR\" [--fix FILE] [--metric M] [--wait [--timeout SECONDS]] [--json]   (token in BBOUNTY_TOKEN)";

    public const string TokenVariable = "BBOUNTY_TOKEN";

    /// <summary>Exit code when <c>--wait</c> ends in a refused or failed submission.</summary>
    public const int NotScored = 3;

    /// <summary>Exit code when <c>--wait</c> gives up after <c>--timeout</c>: the submission is still queued or scoring.</summary>
    public const int TimedOut = 4;

    private const int DefaultTimeoutSeconds = 600;

    private static readonly string[] FinalStates = ["scored", "refused", "failed"];

    internal static int Run(CommandLine args, TextWriter output, TextWriter error, SubmitEnvironment environment)
    {
        var url = args.Required("url", "https://bounty.example.org");
        var slug = args.Required("competition", "adult-income");
        var group = args.Required("group", "\"age >= 60\"");
        var fixPath = args.Optional("fix");
        var metric = args.Optional("metric");
        var wait = args.Flag("wait");
        var timeoutGiven = args.Optional("timeout") is not null;
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", DefaultTimeoutSeconds, 1, 86_400));
        var json = args.Flag("json");
        args.RejectUnknown();
        if (timeoutGiven && !wait) throw new UsageException("--timeout only applies with --wait");
        var baseAddress = BaseAddress(url);
        var token = environment.Variable(TokenVariable) is { Length: > 0 } t ? t.Trim()
            : throw new UsageException($"set {TokenVariable} to a personal access token (create one at {new Uri(baseAddress, "account/tokens")})");
        if (fixPath is not null && !File.Exists(fixPath)) throw new UsageException($"--fix: no such file '{fixPath}'");

        using var client = new HttpClient(environment.Handler()) { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return RunAsync(client, slug, group, fixPath, metric, wait ? timeout : null, json, output, error, environment).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The platform's address as the base of relative <c>api/v1/…</c> paths: it must end with a slash, or the last
    /// segment (<c>/bb</c> of <c>https://host/bb</c>) would be replaced. Plain http only where the bearer token cannot
    /// leave the machine: the local platform of deploy/run.sh serves http on 127.0.0.1.
    /// </summary>
    private static Uri BaseAddress(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            throw new UsageException($"--url must be the platform's http(s) address, not '{url}'");
        if (address.Scheme == "http" && !address.IsLoopback) // localhost, 127.0.0.0/8, ::1 as the request addresses them (Uri turns "loopback" into localhost)
            throw new UsageException($"--url: plain http would send the token in clear text to {address.Host}; use its https:// address (http is only for localhost, 127.x.x.x and ::1)");
        return address.AbsolutePath.EndsWith('/') ? address : new UriBuilder(address) { Path = address.AbsolutePath + "/" }.Uri;
    }

    /// <param name="timeout">With <c>--wait</c>, how long to wait for the verdict; <c>null</c> without.</param>
    private static async Task<int> RunAsync(HttpClient client, string slug, string group, string? fixPath, string? metric, TimeSpan? timeout, bool json,
        TextWriter output, TextWriter error, SubmitEnvironment environment)
    {
        var fixBytes = fixPath is null ? null : await File.ReadAllBytesAsync(fixPath);
        // One key for every attempt of this submission: a retry after a lost answer returns the submission the first
        // attempt created instead of making (and paying quota for) a second one.
        var idempotencyKey = "bbounty-" + Guid.NewGuid().ToString("N");
        HttpRequestMessage Submission()
        {
            var form = new MultipartFormDataContent { { new StringContent(group), "expression" } };
            if (metric is not null) form.Add(new StringContent(metric), "metric");
            if (fixBytes is not null)
            {
                var file = new ByteArrayContent(fixBytes);
                file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(file, "fix", Path.GetFileName(fixPath!));
            }
            var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/competitions/{Uri.EscapeDataString(slug)}/submissions") { Content = form };
            request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
            return request;
        }
        var accepted = await SendAsync(client, environment, async () =>
        {
            using var request = Submission();
            return await client.SendAsync(request);
        });
        var id = accepted.GetProperty("id").GetString()!;
        if (timeout is not { } patience)
        {
            output.WriteLine(json ? accepted.GetRawText() : $"submitted: {id}");
            if (!json && QuotaLine(accepted) is { } quotaLine) output.WriteLine(quotaLine);
            return 0;
        }
        if (!json)
        {
            output.WriteLine($"submitted: {id}; waiting for the verdict…");
            if (QuotaLine(accepted) is { } quotaLine) output.WriteLine(quotaLine);
        }
        var statusPath = $"api/v1/submissions/{Uri.EscapeDataString(id)}";
        var deadline = environment.Now() + patience;
        while (true)
        {
            var status = await SendAsync(client, environment, () => client.GetAsync(statusPath));
            var state = status.GetProperty("state").GetString();
            if (FinalStates.Contains(state))
            {
                output.WriteLine(json ? status.GetRawText() : Verdict(status));
                return state == "scored" ? 0 : NotScored;
            }
            var left = deadline - environment.Now();
            if (left <= TimeSpan.Zero)
            {
                // The submission goes on being scored; say where its verdict will be, and keep standard output JSON.
                if (json) output.WriteLine(status.GetRawText());
                error.WriteLine($"bbounty: no verdict after {patience.TotalSeconds:0} s (submission {id} is {state}); check it later: GET {new Uri(client.BaseAddress!, statusPath)} with the token");
                return TimedOut;
            }
            // The last poll falls on the deadline rather than up to an interval after it.
            await environment.Delay(left < environment.PollInterval ? left : environment.PollInterval);
        }
    }

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Attempts of one call when the network drops it or the platform is briefly unavailable (502, 503, 504).</summary>
    public const int MaxAttempts = 4;

    /// <summary>
    /// The answer's JSON; a refusal becomes one line (exit 2). A rate limit is waited out once; a dropped connection, a
    /// timeout or a 502/503/504 is tried again, up to <see cref="MaxAttempts"/> times with growing pauses (or the
    /// server's Retry-After): safe for a status read, and for a submission because it carries an idempotency key.
    /// </summary>
    private static async Task<JsonElement> SendAsync(HttpClient client, SubmitEnvironment environment, Func<Task<HttpResponseMessage>> send)
    {
        HttpResponseMessage response;
        var rateLimited = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                response = await send();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (attempt >= MaxAttempts) throw new UsageException($"cannot reach {client.BaseAddress}: {e.Message}");
                await environment.Delay(Backoff(attempt));
                continue;
            }
            var retryAfter = response.Headers.RetryAfter?.Delta;
            if (response.StatusCode == HttpStatusCode.TooManyRequests && !rateLimited && retryAfter is { } wait && wait <= TimeSpan.FromMinutes(1))
            {
                rateLimited = true;
                response.Dispose();
                await environment.Delay(wait);
                attempt--; // waiting out a rate limit is not a failed attempt
                continue;
            }
            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout && attempt < MaxAttempts)
            {
                response.Dispose();
                await environment.Delay(retryAfter is { } pause && pause <= TimeSpan.FromMinutes(1) ? pause : Backoff(attempt));
                continue;
            }
            break;
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

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(2 << (attempt - 1)); // 2, 4, 8 s

    /// <summary>A ProblemDetails answer in one line: the field messages, else the detail or title.</summary>
    private static string? Problem(JsonElement? problem)
    {
        if (problem is not { ValueKind: JsonValueKind.Object } p) return null;
        if (p.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            return string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
        return p.TryGetProperty("detail", out var detail) ? detail.GetString()
            : p.TryGetProperty("title", out var title) ? title.GetString() : null;
    }

    /// <summary>"quota: 3 of 5 left today; resets 2026-12-03 00:00 UTC" when the platform sent the quota with the answer.</summary>
    internal static string? QuotaLine(JsonElement accepted)
    {
        if (!accepted.TryGetProperty("quota", out var quota) || quota.ValueKind != JsonValueKind.Object) return null;
        var line = $"quota: {quota.GetProperty("remaining").GetInt32()} of {quota.GetProperty("limit").GetInt32()} submissions left today";
        return quota.TryGetProperty("resetsAt", out var resets) && resets.TryGetDateTimeOffset(out var at)
            ? $"{line}; resets {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC"
            : line;
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
