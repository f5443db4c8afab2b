using System.Net;
using System.Text.RegularExpressions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Accounts;

/// <summary>Password reset and lockout through the real Identity pages, with mail read from the outbox.</summary>
public sealed partial class AccountSecurityTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Login_LocksTheAccountOut_AfterFiveWrongPasswords_EvenForTheRightOneAfterwards()
    {
        var (_, email) = await SignedInClient.UserAsync(platform);
        var client = NewClient();

        for (var attempt = 0; attempt < 5; attempt++)
            await PostLoginAsync(client, email, "wrong-password-1A!");
        var withRightPassword = await PostLoginAsync(client, email, SignedInClient.Password);

        Assert.EndsWith("/Account/Lockout", withRightPassword.Headers.Location?.OriginalString.Split('?')[0]);
        await using var scope = platform.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True(await users.IsLockedOutAsync((await users.FindByEmailAsync(email))!));
    }

    [Fact]
    public async Task ForgotPassword_MailsAResetLink_ThatSetsANewPassword_WhichThenSignsIn()
    {
        var (_, email) = await SignedInClient.UserAsync(platform);
        var client = NewClient();

        var forgot = await PostFormAsync(client, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = email });
        Assert.Contains("ForgotPasswordConfirmation", forgot.Headers.Location?.OriginalString);

        string body;
        await using (var scope = platform.Scope())
        {
            var mail = await platform.NewDb(scope).Outbox.SingleAsync(m => m.To == email);
            Assert.Contains("Reset", mail.Subject, StringComparison.OrdinalIgnoreCase);
            body = mail.HtmlBody;
        }
        var link = WebUtility.HtmlDecode(ResetLink().Match(body).Groups[1].Value);
        Assert.StartsWith("http", link);
        var resetPage = await client.GetStringAsync(new Uri(link).PathAndQuery);
        var code = WebUtility.HtmlDecode(HiddenCode().Match(resetPage).Groups[1].Value);
        Assert.NotEmpty(code);

        const string newPassword = "Brand-new-password-456";
        var reset = await PostFormAsync(client, new Uri(link).PathAndQuery, "reset-password", new()
        {
            ["Input.Email"] = email, ["Input.Password"] = newPassword, ["Input.ConfirmPassword"] = newPassword, ["Input.Code"] = code,
        }, resetPage);
        Assert.Contains("ResetPasswordConfirmation", reset.Headers.Location?.OriginalString);

        await SignedInClient.SignInAsync(NewClient(), email, newPassword);
        var oldPassword = await PostLoginAsync(NewClient(), email, SignedInClient.Password);
        Assert.Equal(HttpStatusCode.OK, oldPassword.StatusCode); // the form again, with an error: no sign-in
    }

    private HttpClient NewClient() => platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password) =>
        PostFormAsync(client, "/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    private static async Task<HttpResponseMessage> PostFormAsync(
        HttpClient client, string path, string handler, Dictionary<string, string> fields, string? page = null)
    {
        page ??= await client.GetStringAsync(path);
        fields["_handler"] = handler;
        fields["__RequestVerificationToken"] = Antiforgery().Match(page).Groups[1].Value;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex("href=['\"]([^'\"]*ResetPassword[^'\"]*)['\"]")]
    private static partial Regex ResetLink();

    [GeneratedRegex("name=\"Input.Code\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenCode();
}
