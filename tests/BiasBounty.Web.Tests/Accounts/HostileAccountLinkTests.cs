using System.Net;
using System.Text.RegularExpressions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BiasBounty.Web.Tests.Accounts;

/// <summary>
/// Account links and sign-in under hostile input (issue 10): a malformed code is the page's invalid-link message
/// with a 400, and a ReturnUrl that leads off the site signs the user in and sends them home.
/// </summary>
public sealed partial class HostileAccountLinkTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData("http://evil.example/steal")]
    [InlineData("https://evil.example")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("\\\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(document.cookie)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("http:evil.example")]
    [InlineData("ht tp://[not a uri")]
    public async Task SignIn_WithAReturnUrlOffTheSite_SignsInAndGoesHome(string returnUrl)
    {
        var (_, email) = await SignedInClient.UserAsync(platform);
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await PostLoginAsync(client, email, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(client.BaseAddress!, response.Headers.Location!);
        Assert.Equal(client.BaseAddress!.Authority, location.Authority);
        Assert.Equal(client.BaseAddress.Scheme, location.Scheme);
        Assert.DoesNotContain("evil", location.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert", location.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Manage")).StatusCode); // signed in
    }

    [Theory]
    [InlineData("/teams", "/teams")]
    [InlineData("/competitions/adult-income/leaderboard?q=age", "/competitions/adult-income/leaderboard?q=age")]
    [InlineData("%2F%2Fevil.example", "/%2F%2Fevil.example")] // escaped slashes: a path on this site, not a host
    public async Task SignIn_WithALocalReturnUrl_GoesThere(string returnUrl, string expected)
    {
        var (_, email) = await SignedInClient.UserAsync(platform);
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await PostLoginAsync(client, email, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, new Uri(client.BaseAddress!, response.Headers.Location!).PathAndQuery);
    }

    [Theory]
    [InlineData("/Account/ResetPassword?code=not*base64", "The password reset link is invalid")]
    [InlineData("/Account/ResetPassword?code=%C3%28", "The password reset link is invalid")]
    [InlineData("/Account/ConfirmEmail?userId={0}&code=not*base64", "the confirmation link is invalid")]
    [InlineData("/Account/ConfirmEmailChange?userId={0}&email=other%40example.org&code=not*base64", "the email change link is invalid")]
    public async Task AccountLink_WithAMalformedCode_IsA400WithTheInvalidLinkMessage(string path, string message)
    {
        var (id, _) = await SignedInClient.UserAsync(platform);
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(string.Format(path, id));
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, page);
        Assert.DoesNotContain("Exception", page);
        Assert.DoesNotContain("   at ", page);
    }

    [Fact]
    public async Task ResetPassword_WithAMalformedCode_ShowsNoForm_AndAPostChangesNothing()
    {
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await (await client.GetAsync("/Account/ResetPassword?code=not*base64")).Content.ReadAsStringAsync();

        Assert.DoesNotContain("Input.Password", page);
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string path)
    {
        var form = await client.GetStringAsync(path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = Antiforgery().Match(form).Groups[1].Value,
            ["Input.Email"] = email, ["Input.Password"] = SignedInClient.Password,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
