using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BiasBounty.Web.Api;

/// <summary>
/// The OpenAPI document of <c>/api/v1</c> at <see cref="Path"/> (ASP.NET Core's built-in generator), read by the
/// reference page at <see cref="ReferencePage"/>. Each endpoint states its own answers (<c>ProducesProblem</c>); the
/// answers every call can get — 429 from the rate limit, 503 during a database outage, and 401 where a token is
/// required — are added here once.
/// </summary>
public static class ApiDocument
{
    public const string Name = "v1";

    public const string Path = "/openapi/v1.json";

    public const string ReferencePage = "/developers/api";

    public const string TokenScheme = "PersonalAccessToken";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) => services.AddOpenApi(Name, options =>
    {
        options.ShouldInclude = endpoint => endpoint.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "BiasBounty API",
                Version = "v1",
                Description = "Competitions, their public data cards, the group check on public data, leaderboards, and a participant's own " +
                    "submissions. Errors are RFC 7807 problem details. Calls marked \"token required\" need a personal access token " +
                    "(Authorization: Bearer bb_…), made on the site's API tokens page. Holdout rows never appear in any answer.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[TokenScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A personal access token from the API tokens page (bb_…).",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            operation.Responses ??= new OpenApiResponses();
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var needsToken = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == ApiExtensions.TokenPolicy)
                && !metadata.OfType<IAllowAnonymous>().Any();
            if (needsToken)
            {
                Problem(operation, StatusCodes.Status401Unauthorized, "No valid personal access token was sent.");
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(TokenScheme, context.Document)] = [] }];
            }
            Problem(operation, StatusCodes.Status429TooManyRequests, "Too many calls this minute for this token or address; see Retry-After.");
            Problem(operation, StatusCodes.Status503ServiceUnavailable, "The platform is briefly unavailable (its database does not answer); see Retry-After.");
            return Task.CompletedTask;
        });
    });

    /// <summary>Gives a response without a description (the generator's ProducesProblem ones) the text the reference page shows.</summary>
    private static void Problem(OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        operation.Responses[key] = new OpenApiResponse { Description = description };
    }

    /// <summary>
    /// Describes a body the endpoint reads itself. Not <c>Accepts&lt;T&gt;</c>: that makes routing match on the content
    /// type, so a wrong one would reach the catch-all's 404 instead of the endpoint's specific 415.
    /// </summary>
    public static RouteHandlerBuilder DescribesBody<T>(this RouteHandlerBuilder endpoint, string contentType) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), cancellationToken: ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = schema } },
            };
        });

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi(Path).AllowAnonymous();
        return app;
    }
}
