using System.Net;
using System.Text.RegularExpressions;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>Users with roles, signed in through the real login form so that the client carries Identity's cookie.</summary>
public static partial class SignedInClient
{
    public const string Password = "Test-password-123";

    /// <summary>A confirmed user in <paramref name="roles"/>; returns its id and e-mail.</summary>
    public static async Task<(string Id, string Email)> UserAsync(PlatformFactory platform, params string[] roles)
    {
        await using var scope = platform.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var email = $"user-{Guid.NewGuid():N}@example.org";
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "user " + Guid.NewGuid().ToString("N")[..8] };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        if (roles.Length > 0) await users.AddToRolesAsync(user, roles);
        return (user.Id, email);
    }

    /// <summary>A client (no automatic redirects) signed in as a new user in <paramref name="roles"/> (none: anonymous).</summary>
    public static async Task<HttpClient> CreateAsync(PlatformFactory platform, params string[] roles)
    {
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (roles.Length == 0) return client;
        var (_, email) = await UserAsync(platform, roles);
        await SignInAsync(client, email);
        return client;
    }

    public static async Task SignInAsync(HttpClient client, string email, string password = Password)
    {
        var form = await client.GetStringAsync("/Account/Login");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = email, ["Input.Password"] = password,
        }));
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"login of {email} answered {response.StatusCode}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
