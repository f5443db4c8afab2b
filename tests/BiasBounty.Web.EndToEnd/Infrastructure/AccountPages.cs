using System.Text.RegularExpressions;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>The template's Identity pages, driven as a user would.</summary>
public static class AccountPages
{
    public const string Password = "E2e-passw0rd!";

    /// <summary>A fresh address, so that tests never collide with each other or with an earlier run.</summary>
    public static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}"[..(who.Length + 13)] + "@example.org";

    /// <summary>Registers through <c>/Account/Register</c> and follows the confirmation link that Development shows on
    /// the page (the e-mail itself waits in the outbox).</summary>
    public static async Task RegisterAndConfirmAsync(BrowserSession session, string email)
    {
        var page = session.Page;
        await page.GotoAsync("Account/Register");
        await page.Locator("input[name='Input.Email']").FillAsync(email);
        await page.Locator("input[name='Input.DisplayName']").FillAsync("E2E " + Guid.NewGuid().ToString("N")[..10]);
        await page.Locator("input[name='Input.Password']").FillAsync(Password);
        await page.Locator("input[name='Input.ConfirmPassword']").FillAsync(Password);
        await session.ShotAsync("register-filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();

        await WalkPages.ExpectUrlAsync(page, new Regex("/Account/RegisterConfirmation"));
        var confirm = page.GetByRole(AriaRole.Link, new() { Name = "Click here to confirm your account" });
        await Expect(confirm).ToBeVisibleAsync();
        await session.ShotAsync("register-confirmation");
        await confirm.ClickAsync();

        await WalkPages.ExpectUrlAsync(page, new Regex("/Account/ConfirmEmail"));
        await Expect(page.Locator("body")).ToContainTextAsync("Thank you for confirming your email");
        await Expect(page.GetByTestId("sign-in-link").GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await session.ShotAsync("email-confirmed");
    }

    /// <summary>Logs in through <c>/Account/Login</c> and checks that the navigation now shows the account.</summary>
    public static async Task LogInAsync(BrowserSession session, string email)
    {
        var page = session.Page;
        await page.GotoAsync("Account/Login");
        await page.Locator("input[name='Input.Email']").FillAsync(email);
        await page.Locator("input[name='Input.Password']").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        // Any address but the login page's; the navigation's nav links below are the proof of login.
        await WalkPages.ExpectUrlAsync(page, new Regex("^(?!.*/Account/Login)", RegexOptions.IgnoreCase));
        await ExpectLoggedInAsync(page, email);
        await session.ShotAsync("logged-in");
    }

    public static async Task ExpectLoggedInAsync(IPage page, string email)
    {
        var nav = page.Locator("nav");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = email })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Button, new() { Name = "Logout" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Login", Exact = true })).ToHaveCountAsync(0);
    }

    /// <summary>A confirmed participant created directly (for tests whose subject is not registration), with the
    /// <paramref name="extraRoles"/> too (e.g. <see cref="Roles.Organizer"/>).</summary>
    public static async Task<string> ConfirmedUserAsync(KestrelPlatform platform, string who, params string[] extraRoles)
    {
        var email = NewEmail(who);
        await using var scope = platform.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, Password);
        if (result.Succeeded) result = await users.AddToRolesAsync(user, [Roles.Participant, .. extraRoles]);
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        return email;
    }
}
