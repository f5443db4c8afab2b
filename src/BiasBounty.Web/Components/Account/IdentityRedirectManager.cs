using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri)
    {
        navigationManager.NavigateTo(LocalOrHome(uri));
    }

    /// <summary>
    /// Prevents open redirects: a relative path on this site stays as it is, an absolute address within the site
    /// becomes relative, and anything else (another host, <c>//host</c>, <c>/\host</c>, <c>javascript:</c>, a
    /// malformed address) is replaced by the home page, so a hostile <c>ReturnUrl</c> cannot fail a sign-in.
    /// </summary>
    private string LocalOrHome(string? uri)
    {
        if (string.IsNullOrEmpty(uri) || IsLocalRelative(uri)) return uri ?? "";
        if (Uri.TryCreate(uri, UriKind.Absolute, out var absolute)
            && absolute.AbsoluteUri.StartsWith(navigationManager.BaseUri, StringComparison.OrdinalIgnoreCase)
            && navigationManager.ToBaseRelativePath(absolute.AbsoluteUri) is var relative && IsLocalRelative(relative))
            return relative;
        return "";
    }

    /// <summary>
    /// <c>Url.IsLocalUrl</c>'s rule: a relative reference without a scheme (no ':' before the first '/', '?' or '#'),
    /// not starting with <c>//</c> or <c>/\</c>, without backslashes or control characters.
    /// </summary>
    private static bool IsLocalRelative(string uri)
    {
        var firstSegment = uri.AsSpan(0, uri.IndexOfAny(['/', '?', '#']) is var end and >= 0 ? end : uri.Length);
        return Uri.IsWellFormedUriString(uri, UriKind.Relative) && !firstSegment.Contains(':')
            && !uri.StartsWith("//", StringComparison.Ordinal) && !uri.Contains('\\') && !uri.Any(char.IsControl);
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<ApplicationUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
