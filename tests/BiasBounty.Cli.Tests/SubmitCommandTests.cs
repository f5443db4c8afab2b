using System.Net;
using System.Text;
using BiasBounty.Cli;
using BiasBounty.Cli.Commands;

namespace BiasBounty.Cli.Tests;

public sealed class SubmitCommandTests
{
    private const string Token = "bb_0123456789ab_" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Id = "0195f3c0-1a2b-7c3d-8e4f-001122334455";

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
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private static (int ExitCode, string Output, string Error) Run(FakeApi api, string? token, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new SubmitEnvironment(() => api, name => name == SubmitCommand.TokenVariable ? token : null, TimeSpan.Zero);
        var code = CliApp.Run(["submit", .. args], output, error, environment);
        return (code, output.ToString(), error.ToString());
    }

    private static readonly string[] Basic = ["--url", "https://bounty.test/", "--competition", "demo", "--group", "age >= 60"];

    private const string Accepted = $$$"""{"id":"{{{Id}}}","state":"queued","links":{"self":"/api/v1/submissions/{{{Id}}}"}}""";

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
    public void Wait_PollsUntilTheVerdict_AndJsonPrintsTheStatus()
    {
        const string scored = $$"""{"id":"{{Id}}","state":"scored","verdict":{"summary":"Finding verified."},"points":12.5}""";
        var api = new FakeApi(
            ("POST /api/v1/competitions/demo/submissions", HttpStatusCode.Accepted, Accepted),
            ($"GET /api/v1/submissions/{Id}", HttpStatusCode.OK, $$"""{"id":"{{Id}}","state":"queued"}"""),
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
        var (code, _, error) = Run(new FakeApi(), Token, ["--url", "bounty.test", "--competition", "demo", "--group", "age >= 60"]);

        Assert.Equal(2, code);
        Assert.Contains("--url must be the platform's http(s) address", error);
    }
}
