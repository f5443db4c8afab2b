using System.Net;
using System.Text;
using BiasBounty.Cli;
using BiasBounty.Cli.Commands;

namespace BiasBounty.Cli.Tests;

public sealed class SubmitCommandTests
{
    private const string Token = "bb_0123456789ab_" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Id = "0195f3c0-1a2b-7c3d-8e4f-001122334455";

    /// <summary>Stands for a connection that broke before the answer arrived.</summary>
    private const HttpStatusCode Dropped = 0;

    /// <summary>Answers from a script of (method + path → status, JSON) and records each request with its body.</summary>
    private sealed class FakeApi(params (string Request, HttpStatusCode Status, string Json)[] answers) : HttpMessageHandler
    {
        private readonly Queue<(string Request, HttpStatusCode Status, string Json)> _answers = new(answers);

        public List<(HttpRequestMessage Request, string Body)> Received { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Received.Add((request, request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct)));
            var (expected, status, json) = _answers.Dequeue();
            Assert.Equal(expected, $"{request.Method} {request.RequestUri!.AbsolutePath}");
            if (status == Dropped) throw new HttpRequestException("The connection was reset (the answer was lost)");
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    /// <summary>Time that passes only when the command waits, so a timeout runs out without the test sleeping.</summary>
    private sealed class FakeClock
    {
        public DateTimeOffset Now { get; private set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public List<TimeSpan> Waits { get; } = [];

        public Task Delay(TimeSpan delay)
        {
            Waits.Add(delay);
            Now += delay;
            return Task.CompletedTask;
        }
    }

    private static (int ExitCode, string Output, string Error) Run(FakeApi api, string? token, params string[] args) => Run(api, new FakeClock(), token, args);

    private static (int ExitCode, string Output, string Error) Run(FakeApi api, FakeClock clock, string? token, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new SubmitEnvironment(() => api, name => name == SubmitCommand.TokenVariable ? token : null, TimeSpan.FromSeconds(3),
            clock.Delay, () => clock.Now);
        var code = CliApp.Run(["submit", .. args], output, error, environment);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] At(string url) => ["--url", url, "--competition", "demo", "--group", "age >= 60"];

    private static readonly string[] Basic = At("https://bounty.test/");

    private const string Accepted = $$$"""{"id":"{{{Id}}}","state":"queued","links":{"self":"/api/v1/submissions/{{{Id}}}"}}""";

    private const string Queued = $$"""{"id":"{{Id}}","state":"queued"}""";

    [Fact]
    public void Submit_PostsTheFormWithTheTokenFromTheEnvironment_AndPrintsTheId()
    {
        var api = new FakeApi(("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted));
        var fix = CliRunner.TempFile("fix.onnx");
        File.WriteAllBytes(fix, [1, 2, 3]);

        var (code, output, error) = Run(api, Token, [.. Basic, "--metric", "fnr", "--fix", fix]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal($"submitted: {Id}", output.Trim());
        var (request, body) = Assert.Single(api.Received);
        Assert.Equal($"Bearer {Token}", request.Headers.Authorization!.ToString());
        Assert.Equal("multipart/form-data", request.Content!.Headers.ContentType!.MediaType);
        Assert.Contains("name=expression", body);
        Assert.Contains("age >= 60", body);
        Assert.Contains("name=metric", body);
        Assert.Contains("fnr", body);
        Assert.Contains("name=fix; filename=fix.onnx", body);
    }

    [Fact]
    public void Submit_PrintsTheRemainingQuotaAndItsReset_WhenTheApiSendsThem()
    {
        const string withQuota = $$$"""{"id":"{{{Id}}}","state":"queued","links":{"self":"/api/v1/submissions/{{{Id}}}"},"quota":{"limit":5,"used":2,"remaining":3,"resetsAt":"2026-12-03T00:00:00+00:00"}}""";
        var api = new FakeApi(("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, withQuota));

        var (code, output, _) = Run(api, Token, Basic);

        Assert.Equal(0, code);
        Assert.Equal([$"submitted: {Id}", "quota: 3 of 5 submissions left today; resets 2026-12-03 00:00 UTC"],
            output.Trim().Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public void Wait_PollsUntilTheVerdict_AndJsonPrintsTheStatus()
    {
        const string scored = $$"""{"id":"{{Id}}","state":"scored","verdict":{"summary":"Finding verified."},"points":12.5}""";
        var api = new FakeApi(
            ("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            ($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, Queued),
            ($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, $$"""{"id":"{{Id}}","state":"scoring"}"""),
            ($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, scored),
            ("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            ($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, scored));

        var text = Run(api, Token, [.. Basic, "--wait"]);
        var json = Run(api, Token, [.. Basic, "--wait", "--json"]);

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("state: scored", text.Output);
        Assert.Contains("summary: Finding verified.", text.Output);
        Assert.Contains("points: 12.5", text.Output);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(scored, json.Output.Trim());
    }

    [Fact]
    public void Wait_OnARefusedSubmission_ExitsWith3()
    {
        var api = new FakeApi(
            ("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            ($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, $$"""{"id":"{{Id}}","state":"refused","failureReason":"The group is too small."}"""));

        var (code, output, _) = Run(api, Token, [.. Basic, "--wait"]);

        Assert.Equal(SubmitCommand.NotScored, code);
        Assert.Contains("reason: The group is too small.", output);
    }

    [Fact]
    public void FieldErrors_AreOneLine_WithExitCode2()
    {
        var api = new FakeApi(("POST /api/v1/competitions/demo/submissions", HttpStatusCode.BadRequest,
            """{"title":"One or more fields are invalid.","status":400,"errors":{"expression":["unknown column 'agee'"],"metric":["This competition takes error."]}}"""));

        var (code, output, error) = Run(api, Token, Basic);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("bbounty: 400 expression: unknown column 'agee'; metric: This competition takes error.", error.Trim());
    }

    [Fact]
    public void ARefusedToken_IsOneLine_WithExitCode2()
    {
        var api = new FakeApi(("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Unauthorized, """{"status":401,"detail":"token expired"}"""));

        var (code, _, error) = Run(api, Token, Basic);

        Assert.Equal(2, code);
        Assert.Equal("bbounty: 401 token expired", error.Trim());
    }

    [Theory]
    [InlineData(null, new string[0], "set BBOUNTY_TOKEN to a personal access token")]
    [InlineData(Token, new[] { "--token", Token }, "unknown option --token")]
    [InlineData(Token, new[] { "--fix", "/no/such/fix.onnx" }, "--fix: no such file")]
    [InlineData(Token, new[] { "--wait", "--timeout", "0" }, "--timeout must be a whole number")]
    [InlineData(Token, new[] { "--wait", "--timeout", "-5" }, "--timeout must be a whole number")]
    [InlineData(Token, new[] { "--wait", "--timeout", "1.5" }, "--timeout must be a whole number")]
    [InlineData(Token, new[] { "--wait", "--timeout", "ten" }, "--timeout must be a whole number")]
    [InlineData(Token, new[] { "--timeout", "60" }, "--timeout only applies with --wait")]
    public void UserErrors_AreOneLine_WithExitCode2_AndSendNothing(string? token, string[] extra, string message)
    {
        var api = new FakeApi();

        var (code, _, error) = Run(api, token, [.. Basic, .. extra]);

        Assert.Equal(2, code);
        Assert.StartsWith("bbounty: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Empty(api.Received);
    }

    [Fact]
    public void ABadUrl_IsAUserError()
    {
        var (code, _, error) = Run(new FakeApi(), Token, At("bounty.test"));

        Assert.Equal(2, code);
        Assert.Contains("--url must be the platform's http(s) address", error);
    }

    [Fact]
    public void AMissingCompetition_NamesTheDemoCompetitionsRealSlug()
    {
        var (code, _, error) = Run(new FakeApi(), Token, ["--url", "https://bounty.test/", "--group", "age >= 60"]);

        Assert.Equal(2, code);
        Assert.Equal("bbounty: --competition is required (e.g. --competition adult-income)", error.Trim());
    }

    [Theory]
    [InlineData("http://bounty.test")]
    [InlineData("http://bounty.test:8080/bb")]
    [InlineData("http://10.0.0.1")]
    [InlineData("http://[::2]")]
    [InlineData("http://localhost.bounty.test")]
    [InlineData("http://127.0.0.1.bounty.test")]
    public void PlainHttp_ToAnotherMachine_IsRefused_BeforeTheTokenIsSent(string url)
    {
        var api = new FakeApi();

        var (code, _, error) = Run(api, Token, At(url));

        Assert.Equal(2, code);
        Assert.StartsWith("bbounty: --url: plain http would send the token in clear text", error);
        Assert.Contains("use its https:// address", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Empty(api.Received);
    }

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://LOCALHOST")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://127.1.2.3")]
    [InlineData("http://[::1]:5000")]
    public void PlainHttp_ToThisMachine_IsAllowed(string url)
    {
        var api = new FakeApi(("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted));

        var (code, _, error) = Run(api, Token, At(url));

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal("http", Assert.Single(api.Received).Request.RequestUri!.Scheme);
    }

    [Theory]
    [InlineData("https://bounty.test/bb")]
    [InlineData("https://bounty.test/bb/")]
    public void AUrlWithAPath_KeepsThePath(string url)
    {
        var api = new FakeApi(
            ("POST /bb/api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            ($"GET /bb/api/v1/submissions/{Id}", HttpStatusCode.OK, $$"""{"id":"{{Id}}","state":"scored"}"""));

        var (code, _, error) = Run(api, Token, [.. At(url), "--wait"]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(2, api.Received.Count);
    }

    [Fact]
    public void Wait_GivesUpAtTheTimeout_WithTheStatusUrl_AndExitCode4()
    {
        var api = new FakeApi([
            ("POST /bb/api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            .. Enumerable.Repeat(($"GET /bb/api/v1/submissions/{Id}", HttpStatusCode.OK, Queued), 5)]);
        var clock = new FakeClock();

        var (code, output, error) = Run(api, clock, Token, [.. At("https://bounty.test/bb"), "--wait", "--timeout", "10"]);

        Assert.Equal(SubmitCommand.TimedOut, code);
        Assert.Equal($"submitted: {Id}; waiting for the verdict…", output.Trim());
        Assert.Equal($"bbounty: no verdict after 10 s (submission {Id} is queued); check it later: GET https://bounty.test/bb/api/v1/submissions/{Id} with the token",
            error.Trim());
        // Polls at 0, 3, 6, 9 and, last, on the deadline itself.
        Assert.Equal([3, 3, 3, 1], clock.Waits.Select(w => w.TotalSeconds));
        Assert.Equal(6, api.Received.Count);
    }

    [Fact]
    public void Wait_ByDefault_GivesUpAfter600Seconds_AndJsonStillPrintsTheLastStatus()
    {
        var api = new FakeApi([
            ("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            .. Enumerable.Repeat(($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, Queued), 201)]);
        var clock = new FakeClock();

        var (code, output, error) = Run(api, clock, Token, [.. Basic, "--wait", "--json"]);

        Assert.Equal(SubmitCommand.TimedOut, code);
        Assert.Equal(Queued, output.Trim());
        Assert.Contains($"check it later: GET https://bounty.test/api/v1/submissions/{Id}", error);
        Assert.Equal(TimeSpan.FromSeconds(600), clock.Waits.Aggregate(TimeSpan.Zero, (sum, wait) => sum + wait));
    }

    [Fact]
    public void Submit_AfterALostAnswerAndAnOutage_RetriesWithTheSameIdempotencyKey()
    {
        const string post = "POST /api/v1/competitions/demo/submissions";
        var api = new FakeApi(
            (post, Dropped, ""),
            (post, HttpStatusCode.ServiceUnavailable, """{"title":"Temporarily unavailable"}"""),
            (post, HttpStatusCode.Accepted, Accepted));
        var clock = new FakeClock();

        var (code, output, error) = Run(api, clock, Token, Basic);

        Assert.True(code == 0, error);
        Assert.Equal($"submitted: {Id}", output.Trim());
        var keys = api.Received.Select(r => Assert.Single(r.Request.Headers.GetValues(SubmitCommand.IdempotencyKeyHeader))).ToArray();
        Assert.Equal(3, keys.Length);
        Assert.Single(keys.Distinct());
        Assert.StartsWith("bbounty-", keys[0]);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], clock.Waits);
    }

    [Fact]
    public void Submit_EachInvocation_SendsANewIdempotencyKey()
    {
        string KeyOfOneRun()
        {
            var api = new FakeApi(("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted));
            Assert.Equal(0, Run(api, Token, Basic).ExitCode);
            return Assert.Single(api.Received).Request.Headers.GetValues(SubmitCommand.IdempotencyKeyHeader).Single();
        }

        Assert.NotEqual(KeyOfOneRun(), KeyOfOneRun());
    }

    [Fact]
    public void Submit_WhenThePlatformStaysDown_GivesUpAfterFourAttempts_WithOneLine()
    {
        const string post = "POST /api/v1/competitions/demo/submissions";
        var api = new FakeApi(Enumerable.Repeat((post, Dropped, ""), SubmitCommand.MaxAttempts).ToArray());

        var (code, _, error) = Run(api, Token, Basic);

        Assert.Equal(2, code);
        Assert.Equal(SubmitCommand.MaxAttempts, api.Received.Count);
        Assert.StartsWith("bbounty: cannot reach https://bounty.test/: The connection was reset", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
