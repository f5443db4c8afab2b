using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BiasBounty.Web.Api;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Api;

/// <summary>Accounts with personal access tokens, and clients that send them.</summary>
public static class ApiArrange
{
    /// <summary>A new confirmed user with a 30-day token; returns the user and the token text.</summary>
    public static async Task<(ApplicationUser User, string Token)> UserWithTokenAsync(PlatformFactory platform, string displayName)
    {
        await using var scope = platform.Scope();
        var user = await Arrange.UserAsync(platform.NewDb(scope), displayName);
        return (user, await TokenAsync(platform, user.Id));
    }

    public static async Task<string> TokenAsync(PlatformFactory platform, string userId, string name = "script", int days = 30)
    {
        await using var scope = platform.Scope();
        var created = await scope.ServiceProvider.GetRequiredService<PersonalAccessTokens>().CreateAsync(userId, name, days);
        Assert.Null(created.Error);
        return created.Token!;
    }

    /// <summary>A client without cookies that sends the token (none: anonymous).</summary>
    public static HttpClient Client(PlatformFactory platform, string? token = null)
    {
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>The submit form as a script sends it.</summary>
    public static MultipartFormDataContent SubmitForm(string? expression, string? metric = null, byte[]? fix = null)
    {
        var form = new MultipartFormDataContent();
        if (expression is not null) form.Add(new StringContent(expression), "expression");
        if (metric is not null) form.Add(new StringContent(metric), "metric");
        if (fix is not null)
        {
            var file = new ByteArrayContent(fix);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "fix", "fix.onnx");
        }
        return form;
    }

    /// <summary>
    /// Polls a submission's status resource (<paramref name="location"/>) as a script would, until its state is final
    /// (scored, refused or failed), every <paramref name="every"/> (a quarter second unless told) for up to
    /// <paramref name="timeout"/> (90 s unless told); a 429 of the rate limit waits for its <c>Retry-After</c>.
    /// </summary>
    public static async Task<JsonElement> PollUntilFinishedAsync(HttpClient client, string location, TimeSpan? every = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var deadline = DateTime.UtcNow + limit;
        string? state = "not asked";
        while (true)
        {
            var response = await client.GetAsync(location);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var status = await JsonAsync(response);
                state = status.GetProperty("state").GetString();
                if (state is "scored" or "failed" or "refused") return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{location} still {state} after {limit.TotalSeconds:0} s");
            await Task.Delay(response.StatusCode == HttpStatusCode.TooManyRequests
                ? response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)
                : every ?? TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>The field messages of a ValidationProblemDetails answer.</summary>
    public static string FieldError(JsonElement problem, string field) => problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
}
