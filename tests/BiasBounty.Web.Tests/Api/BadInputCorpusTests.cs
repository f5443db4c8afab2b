using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BiasBounty.Scoring.Tests.Models;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace BiasBounty.Web.Tests.Api;

/// <summary>The platform with an API rate limit no corpus reaches: the limit has its own tests.</summary>
public sealed class UnlimitedApiPlatformFactory : PlatformFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("BiasBounty:Api:RequestsPerMinute", "100000");
    }
}

/// <summary>
/// Issue 10's bad-input corpus against the running platform: malformed JSON, multipart, expressions, ONNX files
/// (the engine's bombs among them), headers, tokens, paths and query strings, through the API and the pages. Every case
/// answers a 4xx with a message that says what is wrong, never a stack trace; the process's memory stays bounded; and a
/// valid submission is scored afterwards.
/// </summary>
public sealed class BadInputCorpusTests(UnlimitedApiPlatformFactory platform) : IClassFixture<UnlimitedApiPlatformFactory>
{
    private const string Competition = $"/api/v1/competitions/{DemoSeeder.Slug}";
    private const string Check = $"{Competition}/groups/check";
    private const string Submissions = $"{Competition}/submissions";

    /// <summary>What a stack trace or an internal error page leaks.</summary>
    private static readonly string[] LeakMarkers = ["   at ", "Exception", "Npgsql", "/work/", "/src/", ".cs:line", "BiasBounty.Web.Api.", "GroupCheckRequest", "System.Text.Json"];

    /// <summary>One bad request: what it sends, and the status and words its answer must have.</summary>
    public sealed record Case(string Name, HttpMethod Method, string Path, Func<HttpContent?> Body, HttpStatusCode Status, string Message,
        bool Token = true, Action<HttpRequestHeaders>? Headers = null)
    {
        public override string ToString() => Name;
    }

    private static Func<HttpContent?> Json(string json, string mediaType = "application/json") => () => new StringContent(json, Encoding.UTF8, mediaType);

    private static Func<HttpContent?> Bytes(byte[] bytes, string mediaType)
    {
        return () =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
            return content;
        };
    }

    private static Func<HttpContent?> Form(string? expression, string? metric = null, byte[]? fix = null) => () => ApiArrange.SubmitForm(expression, metric, fix);

    private static Case Submit(string name, string? expression, string message, byte[]? fix = null, string? metric = null,
        HttpStatusCode status = HttpStatusCode.BadRequest) =>
        new(name, HttpMethod.Post, Submissions, Form(expression, metric, fix), status, message);

    private const string TooLargeJson = "larger than 64 KB";

    public static IEnumerable<Case> ApiCases()
    {
        // JSON bodies of the group check.
        yield return new("check: a 40 MB body", HttpMethod.Post, Check,
            Bytes(Encoding.UTF8.GetBytes("{\"expression\": \"" + new string('a', 40 * 1024 * 1024) + "\"}"), "application/json"),
            HttpStatusCode.RequestEntityTooLarge, TooLargeJson);
        yield return new("check: a 40 MB body sent without a length", HttpMethod.Post, Check,
            () => new StreamContent(new FillStream(40 * 1024 * 1024)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            HttpStatusCode.RequestEntityTooLarge, TooLargeJson);
        yield return new("check: an array", HttpMethod.Post, Check, Json("[1, 2]"), HttpStatusCode.BadRequest, "must be a JSON object like {\"expression\": \"age >= 60\"}, not an array");
        yield return new("check: a bare string", HttpMethod.Post, Check, Json("\"age >= 60\""), HttpStatusCode.BadRequest, "not a string");
        yield return new("check: expression is a number", HttpMethod.Post, Check, Json("{\"expression\": 60}"), HttpStatusCode.BadRequest, "\"expression\" must be a string");
        yield return new("check: expression is an object", HttpMethod.Post, Check, Json("{\"expression\": {\"age\": 60}}"), HttpStatusCode.BadRequest, "not an object");
        yield return new("check: cut short", HttpMethod.Post, Check, Json("{\"expression\":"), HttpStatusCode.BadRequest, "not valid JSON (line 1");
        yield return new("check: a trailing comma", HttpMethod.Post, Check, Json("{\"expression\": \"age > 1\",}"), HttpStatusCode.BadRequest, "not valid JSON");
        yield return new("check: nested 10,000 deep", HttpMethod.Post, Check, Json(new string('[', 10_000)), HttpStatusCode.BadRequest, "not valid JSON");
        yield return new("check: an empty body", HttpMethod.Post, Check, Json(""), HttpStatusCode.BadRequest, "not valid JSON");
        yield return new("check: invalid UTF-8", HttpMethod.Post, Check, Bytes([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "application/json"), HttpStatusCode.BadRequest, "not valid JSON");
        yield return new("check: text/plain", HttpMethod.Post, Check, Json("{\"expression\": \"age > 1\"}", "text/plain"), HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json");
        yield return new("check: Latin-1", HttpMethod.Post, Check, Bytes("{\"expression\": \"age > 1\"}"u8.ToArray(), "application/json; charset=iso-8859-1"),
            HttpStatusCode.UnsupportedMediaType, "UTF-8");
        yield return new("check: form instead of JSON", HttpMethod.Post, Check, Form("age > 1"), HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json");
        yield return new("check: no body", HttpMethod.Post, Check, () => null, HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json");

        // Multipart and expressions of the submit call.
        yield return new("submit: JSON instead of a form", HttpMethod.Post, Submissions, Json("{\"expression\": \"age > 1\"}"), HttpStatusCode.UnsupportedMediaType, "multipart/form-data");
        yield return new("submit: a multipart body without its boundary", HttpMethod.Post, Submissions,
            Bytes("--nope\r\nContent-Disposition: form-data; name=\"expression\"\r\n\r\nage > 1\r\n"u8.ToArray(), "multipart/form-data; boundary=other"),
            HttpStatusCode.BadRequest, "multipart form could not be read");
        yield return new("submit: a multipart body cut short", HttpMethod.Post, Submissions,
            Bytes("--b\r\nContent-Disposition: form-data; name=\"expression\"\r\n\r\nage >"u8.ToArray(), "multipart/form-data; boundary=b"),
            HttpStatusCode.BadRequest, "multipart form could not be read");
        yield return Submit("submit: no expression", null, "Write a group", metric: "error");
        yield return Submit("submit: an empty expression", "   ", "Write a group");
        yield return Submit("submit: an emoji column", "\U0001F600 == 1", "unexpected character '\U0001F600' (U+1F600)");
        yield return Submit("submit: a NUL", "age\0 > 1", "unexpected character U+0000");
        yield return Submit("submit: an unknown column", "agee >= 60", "unknown column 'agee'");
        yield return Submit("submit: an expression too long", string.Join(" or ", Enumerable.Repeat("age > 1", 400)), "the limit is 2,000");
        yield return Submit("submit: unbalanced parentheses", "((age > 1)", "missing ')'");
        yield return Submit("submit: SQL", "age > 1; DROP TABLE submissions; --", "unexpected character ';'");
        yield return Submit("submit: an unknown metric", "age > 60", "error", metric: "accuracy");

        // ONNX files: not a model, empty, and the engine's memory bombs (refused at submit, never queued).
        yield return Submit("fix: not ONNX", Arrange.MarriedGroup, "ONNX", fix: Encoding.UTF8.GetBytes("this is not a model"));
        yield return Submit("fix: an empty file", Arrange.MarriedGroup, "The file is empty.", fix: []);
        yield return Submit("fix: random bytes", Arrange.MarriedGroup, "ONNX", fix: RandomBytes(4096));
        yield return Submit("fix: the Expand bomb", Arrange.MarriedGroup, "the model would need at least", fix: OnnxBombs.Expand("age", columns: 1, width: 6_000_000));
        yield return Submit("fix: the ConstantOfShape bomb", Arrange.MarriedGroup, "the model would need at least", fix: OnnxBombs.ConstantOfShape(feature: "age"));
        yield return Submit("fix: the Tile bomb", Arrange.MarriedGroup, "the model would need at least", fix: OnnxBombs.Tile(feature: "age"));

        // Paths, query strings, headers and tokens.
        // (A %00 in the path itself never reaches the app: the server's request-line decoder refuses it first.)
        yield return new("query: a NUL in a value", HttpMethod.Get, "/api/v1/competitions?slug=%00", () => null, HttpStatusCode.BadRequest, "control character");
        yield return new("query: a NUL in a name", HttpMethod.Get, Competition + "?%00=1", () => null, HttpStatusCode.BadRequest, "control character");
        yield return new("query: an escape character", HttpMethod.Get, Competition + "?q=%1B%5B2J", () => null, HttpStatusCode.BadRequest, "control character");
        yield return new("path: not a submission id", HttpMethod.Get, "/api/v1/submissions/not-a-guid", () => null, HttpStatusCode.NotFound, "no such API resource");
        yield return new("path: traversal", HttpMethod.Get, "/api/v1/competitions/..%2F..%2Fetc%2Fpasswd", () => null, HttpStatusCode.NotFound, "There is no");
        yield return new("path: an unknown competition", HttpMethod.Get, "/api/v1/competitions/" + new string('x', 3000), () => null, HttpStatusCode.NotFound, "There is no competition");
        yield return new("query: page is text", HttpMethod.Get, Submissions + "?page=abc", () => null, HttpStatusCode.BadRequest, "Pages are numbered from 1");
        yield return new("query: page overflows", HttpMethod.Get, Submissions + "?page=99999999999999999999", () => null, HttpStatusCode.BadRequest, "Pages are numbered from 1");
        yield return new("query: a NUL", HttpMethod.Get, Submissions + "?page=%00", () => null, HttpStatusCode.BadRequest, "control character");
        yield return new("token: none on a token call", HttpMethod.Get, Submissions, () => null, HttpStatusCode.Unauthorized, "needs a personal access token", Token: false);
        yield return new("token: made up", HttpMethod.Get, Submissions, () => null, HttpStatusCode.Unauthorized, "unknown token",
            Token: false, Headers: h => h.TryAddWithoutValidation("Authorization", "Bearer bb_made_up_token"));
        yield return new("token: 10 KB of garbage", HttpMethod.Get, Submissions, () => null, HttpStatusCode.Unauthorized, "unknown token",
            Token: false, Headers: h => h.TryAddWithoutValidation("Authorization", "Bearer " + new string('z', 10_000)));
        yield return new("token: an empty bearer", HttpMethod.Get, Submissions, () => null, HttpStatusCode.Unauthorized, "needs a personal access token",
            Token: false, Headers: h => h.TryAddWithoutValidation("Authorization", "Bearer "));
        yield return new("token: basic credentials", HttpMethod.Get, Submissions, () => null, HttpStatusCode.Unauthorized, "needs a personal access token",
            Token: false, Headers: h => h.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz"));
        yield return new("token: non-ASCII", HttpMethod.Get, Submissions, () => null, HttpStatusCode.Unauthorized, "unknown token",
            Token: false, Headers: h => h.TryAddWithoutValidation("Authorization", "Bearer bb_\u00e9\u00e9\u00e9"));
        yield return new("method: DELETE a competition", HttpMethod.Delete, Competition, () => null, HttpStatusCode.NotFound, "no such API resource");
    }

    /// <summary>Pages: each answers a 4xx HTML page that says what is wrong.</summary>
    public static IEnumerable<(string Path, string Message)> PageCases(string userId) =>
    [
        ("/Account/ResetPassword?code=not*base64", "The password reset link is invalid"),
        ("/Account/ResetPassword?code=%E2%82", "The password reset link is invalid"),
        ($"/Account/ConfirmEmail?userId={userId}&code=not*base64", "the confirmation link is invalid"),
        ($"/Account/ConfirmEmailChange?userId={userId}&email=new%40example.org&code=not*base64", "the email change link is invalid"),
        ($"/competitions/{DemoSeeder.Slug}?%00", "control character"),
        ($"/competitions/{DemoSeeder.Slug}/leaderboard?q=%00", "control character"),
    ];

    [Fact]
    public async Task EveryBadInput_AnswersA4xxWithASpecificMessage_MemoryStaysBounded_AndAValidSubmissionIsScoredAfterwards()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Corpus Runner");
        var client = ApiArrange.Client(platform, token);
        var anonymous = ApiArrange.Client(platform);
        var pages = await SignedInClient.CreateAsync(platform);
        var memoryBefore = WorkingSet();
        var failures = new List<string>();

        foreach (var @case in ApiCases())
        {
            using var request = new HttpRequestMessage(@case.Method, @case.Path) { Content = @case.Body() };
            @case.Headers?.Invoke(request.Headers);
            var response = await (@case.Token ? client : anonymous).SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != @case.Status)
                failures.Add($"{@case}: {(int)response.StatusCode} instead of {(int)@case.Status}: {Shorten(body)}");
            else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                failures.Add($"{@case}: {response.Content.Headers.ContentType} instead of application/problem+json: {Shorten(body)}");
            else if (!ProblemText(body).Contains(@case.Message, StringComparison.Ordinal))
                failures.Add($"{@case}: the answer does not say '{@case.Message}': {Shorten(body)}");
            else if (Leak(body) is { } leak)
                failures.Add($"{@case}: the answer leaks '{leak}': {Shorten(body)}");
        }

        foreach (var (path, message) in PageCases(user.Id))
        {
            var response = await pages.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode is < 400 or >= 500)
                failures.Add($"page {path}: {(int)response.StatusCode}: {Shorten(body)}");
            else if (response.Content.Headers.ContentType?.MediaType != "text/html")
                failures.Add($"page {path}: {response.Content.Headers.ContentType} instead of an HTML page");
            else if (!body.Contains(message, StringComparison.Ordinal) && !body.Contains(WebUtility.HtmlEncode(message), StringComparison.Ordinal))
                failures.Add($"page {path}: does not say '{message}': {Shorten(body)}");
            else if (Leak(body) is { } leak)
                failures.Add($"page {path}: leaks '{leak}'");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // 40 MB bodies and memory bombs went through this process: what stays must be far below them.
        var growth = WorkingSet() - memoryBefore;
        Assert.True(growth < 1024L * 1024 * 1024, $"the process grew by {growth / (1024 * 1024)} MB over the corpus");

        var submitted = await client.PostAsync(Submissions, ApiArrange.SubmitForm(Arrange.MarriedGroup, "error", Arrange.MarriedFixModel));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await ApiArrange.PollUntilFinishedAsync(client, submitted.Headers.Location!.OriginalString);
        Assert.Equal("scored", status.GetProperty("state").GetString());
    }

    [Fact]
    public async Task OrganizerExports_NameAMalformedFilter_InAPlain400()
    {
        var organizer = await SignedInClient.CreateAsync(platform, Roles.Admin);
        var path = $"/organize/{DemoSeeder.Slug}/audit.csv";

        var badDay = await organizer.GetAsync(path + "?from=abc&to=2025-01-31");
        var badTeam = await organizer.GetAsync(path + "?team=xyz&submission=" + new string('9', 100));
        var good = await organizer.GetAsync(path + "?from=2025-01-01&to=2025-01-31");

        Assert.Equal(HttpStatusCode.BadRequest, badDay.StatusCode);
        Assert.Equal("from: 'abc' is not a date; write a UTC day as yyyy-mm-dd, e.g. 2025-01-31.\n", await badDay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badTeam.StatusCode);
        var teamMessage = await badTeam.Content.ReadAsStringAsync();
        Assert.Contains("team: 'xyz' is not an id", teamMessage);
        Assert.Contains("submission: '9999999999999999999999999999999999999999…' is not an id", teamMessage);
        Assert.Null(Leak(teamMessage));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task HangfireStats_AnswersAnOrganizer_WithoutAServerError(string method)
    {
        var organizer = await SignedInClient.CreateAsync(platform, Roles.Organizer);

        var response = await organizer.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/hangfire/stats"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {Shorten(body)}");
        Assert.Null(Leak(body));
    }

    /// <summary>Every string of a ProblemDetails answer (title, detail, field errors), decoded.</summary>
    private static string ProblemText(string body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var texts = new List<string>();
        Collect(document.RootElement);
        return string.Join("\n", texts);

        void Collect(System.Text.Json.JsonElement element)
        {
            switch (element.ValueKind)
            {
                case System.Text.Json.JsonValueKind.String: texts.Add(element.GetString()!); break;
                case System.Text.Json.JsonValueKind.Object: foreach (var p in element.EnumerateObject()) Collect(p.Value); break;
                case System.Text.Json.JsonValueKind.Array: foreach (var e in element.EnumerateArray()) Collect(e); break;
            }
        }
    }

    private static string? Leak(string body) => LeakMarkers.FirstOrDefault(marker => body.Contains(marker, StringComparison.Ordinal));

    private static string Shorten(string body) => body.Length <= 600 ? body : body[..600] + "…";

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(10).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A body of <paramref name="length"/> bytes produced as it is read, with no length sent ahead.</summary>
    private sealed class FillStream(long length) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill((byte)'[');
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
