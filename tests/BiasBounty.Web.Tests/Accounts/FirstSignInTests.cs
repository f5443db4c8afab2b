using System.Net;
using System.Text.RegularExpressions;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Tests.Accounts;

/// <summary>An account created with a one-time password (the demo organizer) must choose its own at the first sign-in.</summary>
public sealed partial class FirstSignInTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task DemoOrganizer_IsCreatedWithAOneTimePassword_ThatMustBeChanged()
    {
        await using var scope = platform.Scope();
        var email = scope.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value.OrganizerEmail;
        var organizer = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email);

        Assert.True(organizer!.MustChangePassword);
    }

    [Fact]
    public async Task SignIn_WithAOneTimePassword_RedirectsEveryPageToChangePassword_UntilItIsChanged()
    {
        var (id, email) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await SetMustChangeAsync(id);
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);

        foreach (var path in new[] { "/organize", "/organize/new", "/", "/competitions/" + DemoSeeder.Slug })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(FirstSignIn.ChangePasswordPath, response.Headers.Location?.OriginalString);
        }
        var form = await client.GetStringAsync(FirstSignIn.ChangePasswordPath);
        Assert.Contains("data-testid=\"must-change-password\"", form);

        var changed = await client.PostAsync(FirstSignIn.ChangePasswordPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "change-password", ["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value,
            ["Input.OldPassword"] = SignedInClient.Password, ["Input.NewPassword"] = "My-own-password-456", ["Input.ConfirmPassword"] = "My-own-password-456",
        }));
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organize")).StatusCode);
        Assert.DoesNotContain("must-change-password", await client.GetStringAsync(FirstSignIn.ChangePasswordPath));
        await using var scope = platform.Scope();
        Assert.False((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(id))!.MustChangePassword);
    }

    [Fact]
    public async Task SignIn_OfAnOrdinaryAccount_IsNotRedirected()
    {
        var client = await SignedInClient.CreateAsync(platform, Roles.Organizer);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organize")).StatusCode);
    }

    private async Task SetMustChangeAsync(string id)
    {
        await using var scope = platform.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(id))!;
        user.MustChangePassword = true;
        Assert.True((await users.UpdateAsync(user)).Succeeded);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
