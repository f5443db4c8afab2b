using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Tests.Api;

public sealed class ApiSubmissionsTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private const string Competition = $"/api/v1/competitions/{DemoSeeder.Slug}";
    private const string Submissions = $"{Competition}/submissions";

    [Fact]
    public async Task Journey_Token_CheckGroup_SubmitAFix_PollUntilScored_TheTeamIsOnTheApiLeaderboard()
    {
        var (_, token) = await ApiArrange.UserWithTokenAsync(platform, "Scripted Finder");
        var client = ApiArrange.Client(platform, token);

        var competitions = await ApiArrange.JsonAsync(await client.GetAsync("/api/v1/competitions"));
        var demo = competitions.EnumerateArray().Single(c => c.GetProperty("slug").GetString() == DemoSeeder.Slug);
        Assert.Equal("open", demo.GetProperty("status").GetString());
        Assert.Equal("error", demo.GetProperty("metric").GetString());

        var detail = await ApiArrange.JsonAsync(await client.GetAsync(Competition));
        Assert.True(detail.GetProperty("acceptsSubmissions").GetBoolean());
        Assert.Equal(5, detail.GetProperty("you").GetProperty("quota").GetProperty("remaining").GetInt32());
        var resetsAt = detail.GetProperty("you").GetProperty("quota").GetProperty("resetsAt").GetDateTimeOffset();
        Assert.Equal(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero), resetsAt);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("you").GetProperty("team").ValueKind);
        Assert.Contains(detail.GetProperty("schema").GetProperty("features").EnumerateArray(), c => c.GetProperty("name").GetString() == "marital-status");

        var check = await ApiArrange.JsonAsync(await client.PostAsJsonAsync($"{Competition}/groups/check", new { expression = Arrange.MarriedGroup }));
        Assert.True(check.GetProperty("valid").GetBoolean());
        Assert.True(check.GetProperty("rows").GetInt32() > 0);

        var submitted = await client.PostAsync(Submissions, ApiArrange.SubmitForm(Arrange.MarriedGroup, "error", Arrange.MarriedFixModel));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var accepted = await ApiArrange.JsonAsync(submitted);
        var id = accepted.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/submissions/{id}", submitted.Headers.Location!.OriginalString);
        Assert.Equal("queued", accepted.GetProperty("state").GetString());
        Assert.Equal(4, accepted.GetProperty("quota").GetProperty("remaining").GetInt32()); // what bbounty submit prints
        Assert.Equal(resetsAt, accepted.GetProperty("quota").GetProperty("resetsAt").GetDateTimeOffset());

        var status = await ApiArrange.PollUntilFinishedAsync(client, submitted.Headers.Location!.OriginalString);
        Assert.Equal("scored", status.GetProperty("state").GetString());
        var verdict = status.GetProperty("verdict");
        Assert.True(verdict.GetProperty("fixAccepted").GetBoolean());
        Assert.True(status.GetProperty("points").GetDouble() > 0);
        Assert.Equal("Awaiting review", status.GetProperty("review").GetString()); // 'Scored' read like a result
        // the released view only: the internal record's holdout-side numbers have no field here
        var raw = status.GetRawText();
        Assert.DoesNotContain("\"record\"", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("holdout", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pValue\":0", raw);

        var leaderboard = await ApiArrange.JsonAsync(await ApiArrange.Client(platform).GetAsync($"{Competition}/leaderboard"));
        Assert.Contains(leaderboard.GetProperty("standings").EnumerateArray(), s => s.GetProperty("team").GetString() == "Scripted Finder");
        Assert.Contains(leaderboard.GetProperty("modelVersions").EnumerateArray(), v => v.GetProperty("team").ValueKind == JsonValueKind.String
            && v.GetProperty("team").GetString() == "Scripted Finder");

        var mine = await ApiArrange.JsonAsync(await client.GetAsync(Submissions));
        Assert.Equal("Scripted Finder", mine.GetProperty("team").GetProperty("name").GetString());
        Assert.Equal(id, Assert.Single(mine.GetProperty("submissions").EnumerateArray()).GetProperty("id").GetGuid());
        var after = await ApiArrange.JsonAsync(await client.GetAsync(Competition));
        Assert.Equal(4, after.GetProperty("you").GetProperty("quota").GetProperty("remaining").GetInt32());
        Assert.Equal("Scripted Finder", after.GetProperty("you").GetProperty("team").GetProperty("name").GetString());
    }

    [Fact]
    public async Task CheckGroup_WarnsBeforeSubmitting_WhenTheGroupIsLikelyTooSmallOnTheHoldout()
    {
        var client = ApiArrange.Client(platform);

        var tiny = await ApiArrange.JsonAsync(await client.PostAsJsonAsync($"{Competition}/groups/check", new { expression = "age >= 88 and sex == \"Female\"" }));
        var large = await ApiArrange.JsonAsync(await client.PostAsJsonAsync($"{Competition}/groups/check", new { expression = "age >= 60" }));

        Assert.True(tiny.GetProperty("valid").GetBoolean()); // a warning, not a refusal: the holdout may hold more such rows
        Assert.InRange(tiny.GetProperty("rows").GetInt32(), 1, 60);
        Assert.Contains("Likely too small to be scored", tiny.GetProperty("warning").GetString());
        Assert.Equal(JsonValueKind.Null, large.GetProperty("warning").ValueKind);
    }

    [Fact]
    public async Task Submit_WithBadFields_Is400_WithTheEnginesMessagePerFormField()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Bad Fields");
        var client = ApiArrange.Client(platform, token);

        var response = await client.PostAsync(Submissions, ApiArrange.SubmitForm("agee >= 60", "squared", "not a model"u8.ToArray()));
        var unknownMetric = await client.PostAsync(Submissions, ApiArrange.SubmitForm("age >= 60", "accuracy"));
        var missing = await client.PostAsync(Submissions, ApiArrange.SubmitForm(null, "error"));
        var junkModel = await client.PostAsync(Submissions, ApiArrange.SubmitForm("age >= 60", "error", "not a model"u8.ToArray()));
        var empty = await client.PostAsync(Submissions, ApiArrange.SubmitForm(null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiArrange.JsonAsync(response);
        Assert.Contains("unknown column 'agee'", ApiArrange.FieldError(problem, "expression"));
        Assert.Contains("This competition takes error, fpr, fnr", ApiArrange.FieldError(problem, "metric"));
        // The model is not loaded while a cheaper field is wrong; with the other fields right, it is checked and refused.
        Assert.False(problem.GetProperty("errors").TryGetProperty("fix", out _));
        Assert.False(string.IsNullOrWhiteSpace(ApiArrange.FieldError(await ApiArrange.JsonAsync(junkModel), "fix")));
        Assert.Contains("unknown metric 'accuracy'", ApiArrange.FieldError(await ApiArrange.JsonAsync(unknownMetric), "metric"));
        Assert.Contains("Write a group", ApiArrange.FieldError(await ApiArrange.JsonAsync(missing), "expression"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsJsonAsync(Submissions, new { expression = "age >= 60" })).StatusCode);
        await using var scope = platform.Scope();
        Assert.False(await platform.NewDb(scope).Submissions.AnyAsync(s => s.UserId == user.Id));
    }

    [Fact]
    public async Task Submit_OverTheDailyQuota_Is429_WithRetryAfterUntilMidnightUtc()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Quota Script");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            var team = await Arrange.TeamOfAsync(db, competition.Id, user, "Quota Script");
            for (var i = 0; i < 5; i++) await Arrange.SubmissionAsync(db, competition, user, team, $"age >= {30 + i}");
        }

        var response = await ApiArrange.Client(platform, token).PostAsync(Submissions, ApiArrange.SubmitForm("age >= 70"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("used its 5 submissions", ApiArrange.FieldError(await ApiArrange.JsonAsync(response), "quota"));
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
    }

    [Fact]
    public async Task Submit_ToAClosedCompetition_Is409_AndToAnUnknownOne_404()
    {
        var (_, token) = await ApiArrange.UserWithTokenAsync(platform, "Too Late");
        Competition closed;
        await using (var scope = platform.Scope())
            closed = await CompetitionBuilder.New("Closed").Closed().SaveAsync(platform.NewDb(scope));
        var client = ApiArrange.Client(platform, token);

        var late = await client.PostAsync($"/api/v1/competitions/{closed.Slug}/submissions", ApiArrange.SubmitForm("age >= 60"));
        var unknown = await client.PostAsync("/api/v1/competitions/no-such-thing/submissions", ApiArrange.SubmitForm("age >= 60"));

        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(SubmitEntry.ClosedMessage, ApiArrange.FieldError(await ApiArrange.JsonAsync(late), "competition"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await ApiArrange.Client(platform).GetAsync("/api/v1/competitions/no-such-thing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ApiArrange.Client(platform).GetAsync("/api/v1/competitions/no-such-thing/leaderboard")).StatusCode);
    }

    [Fact]
    public async Task AnotherTeamsSubmission_Is404_LikeOneThatDoesNotExist()
    {
        var owner = await ParticipantArrange.MemberAsync(platform, "Owners");
        var id = await ParticipantArrange.SubmissionAsync(platform, owner, "age >= 60");
        var ownerToken = await ApiArrange.TokenAsync(platform, owner.User.Id);
        var (_, strangerToken) = await ApiArrange.UserWithTokenAsync(platform, "Stranger");

        var mine = await ApiArrange.Client(platform, ownerToken).GetAsync($"/api/v1/submissions/{id}");
        var theirs = await ApiArrange.Client(platform, strangerToken).GetAsync($"/api/v1/submissions/{id}");
        var none = await ApiArrange.Client(platform, strangerToken).GetAsync($"/api/v1/submissions/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal("queued", (await ApiArrange.JsonAsync(mine)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(await none.Content.ReadAsStringAsync(), await theirs.Content.ReadAsStringAsync());
        Assert.Empty((await ApiArrange.JsonAsync(await ApiArrange.Client(platform, strangerToken).GetAsync(Submissions))).GetProperty("submissions").EnumerateArray());
    }

    [Fact]
    public async Task TeamSubmissions_ArePagedNewestFirst()
    {
        var member = await ParticipantArrange.MemberAsync(platform, "Pagers");
        var token = await ApiArrange.TokenAsync(platform, member.User.Id);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            for (var i = 0; i < 21; i++)
            {
                var s = await Arrange.SubmissionAsync(db, competition, member.User, member.Team, $"age >= {20 + i}");
                s.CreatedAt = DateTimeOffset.UtcNow.AddDays(-2).AddMinutes(i);
            }
            await db.SaveChangesAsync();
        }
        var client = ApiArrange.Client(platform, token);

        var first = await ApiArrange.JsonAsync(await client.GetAsync(Submissions));
        var second = await ApiArrange.JsonAsync(await client.GetAsync($"{Submissions}?page=2"));
        var zero = await client.GetAsync($"{Submissions}?page=0");
        var huge = await client.GetAsync($"{Submissions}?page={int.MaxValue}"); // its row offset would overflow
        var words = await client.GetAsync($"{Submissions}?page=two");

        Assert.True(first.GetProperty("hasMore").GetBoolean());
        Assert.Equal(20, first.GetProperty("submissions").GetArrayLength());
        Assert.Equal("age >= 40", first.GetProperty("submissions")[0].GetProperty("expression").GetString());
        Assert.False(second.GetProperty("hasMore").GetBoolean());
        Assert.Equal("age >= 20", Assert.Single(second.GetProperty("submissions").EnumerateArray()).GetProperty("expression").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("numbered from 1", ApiArrange.FieldError(await ApiArrange.JsonAsync(zero), "page"));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("numbered from 1", ApiArrange.FieldError(await ApiArrange.JsonAsync(words), "page"));
    }

    [Fact]
    public async Task GroupCheck_AnswersOnPublicData_AndRefusesANonJsonBody()
    {
        var client = ApiArrange.Client(platform);

        var bad = await ApiArrange.JsonAsync(await client.PostAsJsonAsync($"{Competition}/groups/check", new { expression = "agee >= 60" }));
        var empty = await ApiArrange.JsonAsync(await client.PostAsJsonAsync($"{Competition}/groups/check", new { }));
        var notJson = await client.PostAsync($"{Competition}/groups/check", new StringContent("age >= 60"));
        var broken = await client.PostAsync($"{Competition}/groups/check", new StringContent("{\"expression\":", System.Text.Encoding.UTF8, "application/json"));
        var unknown = await client.PostAsJsonAsync("/api/v1/competitions/nope/groups/check", new { expression = "age >= 60" });
        var charset = new StringContent("{\"expression\": \"age >= 60\"}");
        charset.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus");
        var badCharset = await client.PostAsync($"{Competition}/groups/check", charset); // the reader throws for an unknown charset

        Assert.False(bad.GetProperty("valid").GetBoolean());
        Assert.Contains("unknown column 'agee'", bad.GetProperty("message").GetString());
        Assert.Contains("Write a group", empty.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, badCharset.StatusCode);
        Assert.Contains("UTF-8", (await ApiArrange.JsonAsync(badCharset)).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/v1/submissions/not-a-guid")]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/api/v2/competitions")]
    public async Task AnythingElseUnderApi_IsAProblemDetails404_NotTheHtmlPage(string path)
    {
        var response = await ApiArrange.Client(platform).GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CompetitionDetail_WithoutAToken_HasNoCallerPart_AndTheSettingsAParticipantNeeds()
    {
        var detail = await ApiArrange.JsonAsync(await ApiArrange.Client(platform).GetAsync(Competition));

        Assert.Equal(JsonValueKind.Null, detail.GetProperty("you").ValueKind);
        Assert.Equal(50L * 1024 * 1024, detail.GetProperty("maxModelBytes").GetInt64());
        Assert.Equal(5, detail.GetProperty("submissionsPerDay").GetInt32());
        Assert.Equal(["error", "fpr", "fnr"], detail.GetProperty("metrics").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal($"/competitions/{DemoSeeder.Slug}/download/training", detail.GetProperty("links").GetProperty("trainingData").GetString());
        Assert.Equal($"/competitions/{DemoSeeder.Slug}/download/model.onnx", detail.GetProperty("links").GetProperty("modelOnnx").GetString());
    }

    [Fact]
    public async Task AnUploadOverTheCompetitionsModelLimit_Is413_BeforeTheWholeBodyIsRead()
    {
        var (_, token) = await ApiArrange.UserWithTokenAsync(platform, "Big Uploader");
        var slug = await SmallLimitCompetitionAsync(maxModelBytes: 1024);
        var client = ApiArrange.Client(platform, token);
        var url = $"/api/v1/competitions/{slug}/submissions";

        var withLength = await client.PostAsync(url, ApiArrange.SubmitForm("age >= 60", fix: new byte[256 * 1024]));
        // Without a Content-Length (chunked), the limit cuts the stream while the form is read.
        var streamed = ApiArrange.SubmitForm("age >= 60");
        streamed.Add(new StreamContent(new UnseekableStream(new byte[256 * 1024])), "fix", "fix.onnx");
        var chunked = await client.PostAsync(url, streamed);

        foreach (var response in new[] { withLength, chunked })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("model limit of 0 MB", ApiArrange.FieldError(await ApiArrange.JsonAsync(response), "fix"));
        }
        // a small non-model file gets through to the engine's check
        var small = await client.PostAsync(url, ApiArrange.SubmitForm("age >= 60", fix: "tiny"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, small.StatusCode);
    }

    /// <summary>An open competition on the demo's public data with a smaller model limit.</summary>
    private async Task<string> SmallLimitCompetitionAsync(long maxModelBytes)
    {
        await using var scope = platform.Scope();
        var competition = await CompetitionBuilder.New("Small").WithDemoFiles().WithSettings(s => s with { MaxModelBytes = maxModelBytes })
            .SaveAsync(platform.NewDb(scope));
        return competition.Slug;
    }

    /// <summary>A stream whose length is unknown, so the request is sent without a Content-Length.</summary>
    private sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
