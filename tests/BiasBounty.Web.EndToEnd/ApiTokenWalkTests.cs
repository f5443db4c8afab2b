using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using BiasBounty.Web.Api;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// A participant's personal access token (<c>/account/tokens</c>, docs/api.md) used as a script would: created in the
/// browser and read from the page once, then sent by a plain <see cref="HttpClient"/> to the REST API on the platform's
/// real address (the competition with the caller's team and quota, a submission scored by the platform's worker), its
/// last use seen on the page, revoked there, and refused by the API afterwards.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ApiTokenWalkTests(BrowserFixture fixture)
{
    private const string TokenName = "notebook";
    private const int Days = 30;

    [Fact]
    public async Task Participant_CreatesATokenAndSubmitsThroughTheApi_SeesItsLastUseAndRevokesIt()
    {
        var platform = fixture.Platform;
        var competition = await WalkArrange.CompetitionAsync(platform, "Tokens");
        var email = await AccountPages.ConfirmedUserAsync(platform, "scripter");
        var detail = $"api/v1/competitions/{competition.Slug}";

        await using var session = await fixture.SessionAsync(nameof(Participant_CreatesATokenAndSubmitsThroughTheApi_SeesItsLastUseAndRevokesIt));
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, email);

            // Account → API tokens
            await WalkPages.FollowAsync(session, page.Locator("nav").GetByRole(AriaRole.Link, new() { Name = email }), "Account/Manage");
            await WalkPages.FollowAsync(session, page.GetByTestId("nav-api-tokens"), "account/tokens");
            await Expect(page.GetByTestId("no-tokens")).ToBeVisibleAsync();
            await session.ShotAsync("tokens-none");

            await page.GetByTestId("token-name").FillAsync(TokenName);
            await page.GetByTestId("token-days").SelectOptionAsync(Days.ToString(CultureInfo.InvariantCulture));
            await session.ShotAsync("token-form-filled");
            await page.GetByTestId("create-token").ClickAsync();

            // the token, shown once; the list has only its public prefix
            await Expect(page.GetByTestId("new-token")).ToContainTextAsync(TokenName);
            var secretField = page.GetByTestId("new-token-value");
            await Expect(secretField).ToHaveValueAsync(new Regex("^bb_[0-9a-f]+_[0-9a-f]{64}$"));
            var token = await secretField.InputValueAsync();
            var row = page.GetByTestId("token-row").Filter(new() { HasText = TokenName });
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row.Locator(".token-last-used")).ToHaveTextAsync("never");
            var prefix = (await row.Locator(".token-prefix").InnerTextAsync()).TrimEnd('…', '.');
            Assert.True(prefix.Length > "bb_".Length && token.StartsWith(prefix, StringComparison.Ordinal),
                $"the list shows \"{prefix}\", not the token's prefix");
            Assert.DoesNotContain(token, await page.GetByTestId("tokens").InnerTextAsync(), StringComparison.Ordinal);
            var expires = DateTimeOffset.ParseExact(await row.Locator(".token-expires").InnerTextAsync(), "yyyy-MM-dd HH:mm 'UTC'",
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(Days) - TimeSpan.FromHours(1), TimeSpan.FromDays(Days));
            await session.ShotAsync("token-created");

            // a script with the token: no cookies, the platform's real address
            using var api = new HttpClient { BaseAddress = platform.BaseAddress };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var before = await OkJsonAsync(await api.GetAsync(detail));
            Assert.True(before.GetProperty("acceptsSubmissions").GetBoolean());
            var limit = before.GetProperty("submissionsPerDay").GetInt32();
            Assert.Equal(JsonValueKind.Null, before.GetProperty("you").GetProperty("team").ValueKind); // no team yet
            AssertQuota(before, limit, used: 0);

            var submitted = await api.PostAsync($"{detail}/submissions", ApiArrange.SubmitForm("age >= 60"));
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            var accepted = await ApiArrange.JsonAsync(submitted);
            var id = accepted.GetProperty("id").GetGuid();
            Assert.Equal($"/api/v1/submissions/{id}", submitted.Headers.Location?.OriginalString);
            Assert.Equal("queued", accepted.GetProperty("state").GetString());

            // scored by the platform's own Hangfire worker; polled gently (the rate limit is 60 calls a minute)
            var status = await ApiArrange.PollUntilFinishedAsync(api, submitted.Headers.Location!.OriginalString,
                every: TimeSpan.FromSeconds(2), timeout: TimeSpan.FromSeconds(150));
            Assert.True(status.GetProperty("state").GetString() == "scored",
                $"the submission ended {status.GetProperty("state")}: {status.GetProperty("failureReason")}");
            Assert.Equal(competition.Slug, status.GetProperty("competition").GetString());
            Assert.Equal("age >= 60", status.GetProperty("expression").GetString());
            Assert.Equal("scored", status.GetProperty("verdict").GetProperty("status").GetString());

            // now the caller has a team of one (the submission's) and one submission less today
            var after = await OkJsonAsync(await api.GetAsync(detail));
            var team = after.GetProperty("you").GetProperty("team");
            Assert.Equal(await TeamOfAsync(id), team.GetProperty("id").GetGuid());
            Assert.False(string.IsNullOrWhiteSpace(team.GetProperty("name").GetString()));
            AssertQuota(after, limit, used: 1);

            // back in the browser: the token's last use is recorded; the token itself is not shown again
            var mark = BrowserSession.Mark();
            await page.ReloadAsync();
            await session.InteractiveAsync(mark);
            await Expect(row.Locator(".token-last-used")).ToHaveTextAsync(new Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$"));
            await Expect(page.GetByTestId("new-token")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("unread-count")).ToHaveTextAsync("1"); // the verdict notice of the scripted submission
            Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
            await session.ShotAsync("token-last-used");

            await row.GetByTestId("revoke").ClickAsync();
            await Expect(row.Locator(".token-state")).ToHaveTextAsync("revoked");
            await Expect(row.GetByTestId("revoke")).ToHaveCountAsync(0);
            await session.ShotAsync("token-revoked");

            // the same call is refused now, even though it is a public one
            var refused = await api.GetAsync(detail);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(ApiTokenAuthenticationHandler.Revoked, (await ApiArrange.JsonAsync(refused)).GetProperty("detail").GetString());
        });
    }

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await ApiArrange.JsonAsync(response);
    }

    private static void AssertQuota(JsonElement competition, int limit, int used)
    {
        var quota = competition.GetProperty("you").GetProperty("quota");
        Assert.Equal(limit, quota.GetProperty("limit").GetInt32());
        Assert.Equal(used, quota.GetProperty("used").GetInt32());
        Assert.Equal(limit - used, quota.GetProperty("remaining").GetInt32());
    }

    private async Task<Guid> TeamOfAsync(Guid submissionId)
    {
        await using var scope = fixture.Platform.Scope();
        return await fixture.Platform.NewDb(scope).Submissions.Where(s => s.Id == submissionId).Select(s => s.TeamId).SingleAsync();
    }
}
