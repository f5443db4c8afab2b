using BiasBounty.Web.Accounts;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using BiasBounty.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;

namespace BiasBounty.Web.Api;

/// <summary>Section <c>BiasBounty:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "BiasBounty:Api";

    /// <summary>Requests per minute per token (or per client address for calls without one).</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 60;
}
public static class ApiExtensions
{
    public const string TokenPolicy = "ApiToken";
    public const string RatePolicy = "api";

    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        if (!builder.GetPlatformRole().ServesPages()) return builder;
        builder.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        var services = builder.Services;
        services.AddScoped<PersonalAccessTokens>();
        services.AddApiDocument();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        // Only the token scheme: a signed-in browser's cookie does not make an API call authenticated.
        services.AddAuthorizationBuilder().AddPolicy(TokenPolicy, policy => policy
            .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    http.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return new ValueTask(ApiProblems.Write(http, StatusCodes.Status429TooManyRequests, "Too many requests",
                    "This token (or address) has made too many API calls this minute; wait for the Retry-After seconds."));
            };
            options.AddPolicy(RatePolicy, http => RateLimitPartition.GetFixedWindowLimiter(PartitionOf(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.RequestsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
        });
        return builder;
    }

    /// <summary>
    /// Calls are counted per checked token, everything else (no token, or a token that failed its check) per client
    /// address: a made-up or someone else's prefix neither buys a fresh allowance nor spends the owner's.
    /// </summary>
    private static string PartitionOf(HttpContext http) =>
        http.Items[TokenCheckKey] is AuthenticateResult { Succeeded: true } result
            ? "token:" + result.Principal.FindFirstValue(ApiTokenAuthenticationHandler.TokenIdClaim)
            : "address:" + AddressPartition(http.Connection.RemoteIpAddress);

    /// <summary>
    /// The unit an address is counted in: an IPv4 address (also when IPv4-mapped), or an IPv6 /64 — one subscriber's
    /// usual allocation, whose 2^64 addresses would otherwise each get an allowance of their own.
    /// </summary>
    public static string AddressPartition(System.Net.IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }

    private const string TokenCheckKey = "bb:api-token-check";

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");

    /// <summary>
    /// Between routing and authentication, for <c>/api</c> requests: a bearer token is checked first (so the rate
    /// limit can count per checked token), then the rate limit applies, and then a request whose token failed its check
    /// is refused with the reason — on public calls too, so a script learns that its token expired. Every other request
    /// passes untouched.
    /// </summary>
    public static WebApplication UseApiGate(this WebApplication app)
    {
        app.UseWhen(IsApi, api => api.Use(async (http, next) =>
        {
            if (ApiTokenAuthenticationHandler.BearerOf(http.Request) is not null)
                http.Items[TokenCheckKey] = await http.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
            try
            {
                await next(http);
            }
            catch (BadHttpRequestException e) when (!http.Response.HasStarted)
            {
                // The server's own refusal while a handler reads the body (too large, cut short, too slow): a ProblemDetails
                // like every other API error, not the error page.
                http.Response.Clear();
                await ApiProblems.Write(http, e.StatusCode, ApiProblems.BodyTitle(e.StatusCode), ApiProblems.BodyDetail(e));
            }
        }));
        app.UseRateLimiter();
        app.UseWhen(IsApi, api => api.Use(async (http, next) =>
        {
            if (http.Items[TokenCheckKey] is AuthenticateResult { Succeeded: false })
                await http.ChallengeAsync(ApiTokenAuthenticationHandler.SchemeName);
            else
                await next(http);
        }));
        return app;
    }

    /// <summary>The token's user, when the request carries a token that passed its check (<see cref="UseApiGate"/>).</summary>
    public static string? TokenUserId(HttpContext http) =>
        http.Items[TokenCheckKey] is AuthenticateResult { Succeeded: true } result ? result.Principal.UserId() : null;

    /// <summary><c>/api/v1</c>: public reads, and token-only calls for a participant's own submissions.</summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        if (!app.Configuration.GetPlatformRole().ServesPages()) return app;
        var api = app.MapGroup("/api/v1")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.SkipStatusCodePagesAttribute()) // a 404 or 401 stays a ProblemDetails answer, not the HTML error page
            .RequireRateLimiting(RatePolicy)
            .DisableAntiforgery(); // bearer tokens only, which a browser does not send by itself: nothing to forge
        CompetitionsApi.Map(api);
        SubmissionsApi.Map(api.MapGroup("").RequireAuthorization(TokenPolicy));
        // Anything else under /api (an unknown path, a malformed id, a wrong method) is a ProblemDetails 404, not the HTML page.
        app.MapGroup("/api").WithMetadata(new Microsoft.AspNetCore.Mvc.SkipStatusCodePagesAttribute()).RequireRateLimiting(RatePolicy)
            .Map("/{**rest}", () => ApiProblems.NotFound($"There is no such API resource; see {ApiDocument.ReferencePage} for the endpoints."))
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapApiDocument();
        return app;
    }
}
