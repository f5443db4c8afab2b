using System.Net;
using System.Text;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Components;

/// <summary>Issue 11's account pages: every password rule named up front, and a way on after confirming an e-mail.</summary>
public sealed class AccountPagesTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task PasswordForms_NameEveryPasswordRule()
    {
        var register = WebUtility.HtmlDecode(await platform.CreateClient().GetStringAsync("/Account/Register"));
        var signedIn = await SignedInClient.CreateAsync(platform, Roles.Participant);
        var change = WebUtility.HtmlDecode(await signedIn.GetStringAsync("/Account/Manage/ChangePassword"));

        Assert.Contains(PasswordRules.Text, register);
        Assert.Contains(PasswordRules.Text, change);
    }

    [Fact]
    public async Task ConfirmEmail_LinksToSignIn_OnceConfirmed()
    {
        string userId, code;
        await using (var scope = platform.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var email = $"confirm-{Guid.NewGuid():N}@example.org";
            var user = new ApplicationUser { UserName = email, Email = email, DisplayName = "Confirm " + Guid.NewGuid().ToString("N")[..6] };
            Assert.True((await users.CreateAsync(user, SignedInClient.Password)).Succeeded);
            userId = user.Id;
            code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
        }

        var html = await platform.CreateClient().GetStringAsync($"/Account/ConfirmEmail?userId={userId}&code={code}");

        Assert.Contains("Thank you for confirming your email", html);
        Assert.Contains("data-testid=\"sign-in-link\"", html);
        Assert.Contains("href=\"Account/Login\"", html);
        await using var check = platform.Scope();
        Assert.True((await platform.NewDb(check).Users.SingleAsync(u => u.Id == userId)).EmailConfirmed);
    }
}
