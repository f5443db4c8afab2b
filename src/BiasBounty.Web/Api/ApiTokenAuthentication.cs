using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Api;

/// <summary>
/// <c>Authorization: Bearer bb_…</c>: the scheme of the <c>/api</c> endpoints only. Cookies never authenticate an API
/// call, so a page on another site cannot make a signed-in browser submit (no CSRF).
/// </summary>
public sealed class ApiTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApplicationDbContext db, IUserClaimsPrincipalFactory<ApplicationUser> principals, UserManager<ApplicationUser> users, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    public const string Unknown = "unknown token", Expired = "token expired", Revoked = "token revoked", LockedOut = "account locked out",
        SecurityChanged = "token revoked: the account's password, e-mail or sign-in settings changed since it was made";

    /// <summary>Last use is written at most this often per token: a busy script should not write on every call.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>The token of the request's <c>Authorization: Bearer</c> header, or null when there is none.</summary>
    public static string? BearerOf(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerOf(Request) is not { } token) return AuthenticateResult.NoResult();
        if (ApiTokenText.PrefixOf(token) is not { } prefix) return AuthenticateResult.Fail(Unknown);
        var row = await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Prefix == prefix, Context.RequestAborted);
        // Compare even when the prefix is unknown, so the answer takes as long either way.
        var matches = CryptographicOperations.FixedTimeEquals(ApiTokenText.Hash(token), row?.Hash ?? new byte[32]);
        if (row is null || !matches) return AuthenticateResult.Fail(Unknown);
        var now = time.GetUtcNow();
        if (row.RevokedAt is not null) return AuthenticateResult.Fail(Revoked);
        if (now >= row.ExpiresAt) return AuthenticateResult.Fail(Expired);
        var user = await users.FindByIdAsync(row.UserId);
        if (user is null) return AuthenticateResult.Fail(Unknown);
        if (row.SecurityStamp != user.SecurityStamp) return AuthenticateResult.Fail(SecurityChanged);
        if (IsLockedByAdministrator(user, now)) return AuthenticateResult.Fail(LockedOut);

        if (row.LastUsedAt is not { } last || now - last >= LastUsedResolution)
        {
            var staleBefore = now - LastUsedResolution;
            // Conditional, so concurrent calls of one token write once.
            await db.ApiTokens.Where(t => t.Id == row.Id && (t.LastUsedAt == null || t.LastUsedAt <= staleBefore))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }
        var identity = new ClaimsIdentity((await principals.CreateAsync(user)).Claims, SchemeName);
        identity.AddClaim(new Claim(TokenIdClaim, row.Id.ToString()));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// A lock longer than the failed-login lockout is an administrator's: it stops tokens. The failed-login lockout
    /// itself does not, since anyone who knows a participant's e-mail address can trigger it (e.g. against a rival team
    /// before a deadline), and a token is not a password that can be guessed.
    /// </summary>
    private bool IsLockedByAdministrator(ApplicationUser user, DateTimeOffset now) =>
        user.LockoutEnabled && user.LockoutEnd is { } end && end - now > users.Options.Lockout.DefaultLockoutTimeSpan;

    /// <summary>The id of the token a request authenticated with (the rate limiter's partition).</summary>
    public const string TokenIdClaim = "bb:token";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{failure}\"";
        await ApiProblems.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            failure ?? "This call needs a personal access token: send the header Authorization: Bearer bb_… (create one at /account/tokens).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden", "This token's account may not do this.");
}
