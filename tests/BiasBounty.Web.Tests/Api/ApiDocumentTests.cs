using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Api;

public sealed class ApiDocumentTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    /// <summary>Every /api/v1 endpoint the app maps, as (METHOD, /path/{param}) with route constraints removed.</summary>
    private IReadOnlyList<(string Method, string Path, bool NeedsToken)> MappedEndpoints() =>
        platform.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (
                Method: m,
                Path: "/" + Regex.Replace(e.RoutePattern.RawText!.TrimStart('/'), "\\{([^}:]+):[^}]+\\}", "{$1}"),
                NeedsToken: e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any(a => a.Policy == "ApiToken")
                    && e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)))
            .ToList();

    [Fact]
    public async Task Document_ListsEveryApiEndpoint_WithItsAnswers()
    {
        var response = await platform.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = json.RootElement.GetProperty("paths");

        var mapped = MappedEndpoints();
        Assert.Equal(7, mapped.Count);
        foreach (var (method, path, needsToken) in mapped)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the document");
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is not in the document");
            var answers = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
            Assert.Contains(answers, a => a is "200" or "202");
            Assert.Contains("429", answers);
            Assert.Contains("503", answers);
            Assert.Equal(needsToken, answers.Contains("401"));
            Assert.Equal(needsToken, operation.TryGetProperty("security", out _));
            Assert.True(operation.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 10, $"{method} {path} has no summary");
        }
        // Nothing but the API: not the pages, not the catch-all that answers unknown API paths.
        Assert.All(paths.EnumerateObject(), p => Assert.StartsWith("/api/v1/", p.Name));
        Assert.Equal(mapped.Select(m => m.Path).Distinct().Count(), paths.EnumerateObject().Count());
    }

    [Fact]
    public async Task Document_StatesEachEndpointsOwnRefusals()
    {
        using var json = JsonDocument.Parse(await platform.CreateClient().GetStringAsync("/openapi/v1.json"));
        var submit = json.RootElement.GetProperty("paths").GetProperty("/api/v1/competitions/{slug}/submissions").GetProperty("post");

        var answers = submit.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order().ToArray();

        Assert.Equal(["202", "400", "401", "404", "409", "413", "415", "422", "429", "503"], answers);
        Assert.True(submit.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
    }

    [Fact]
    public async Task ReferencePage_ShowsEveryOperation_WithItsAnswers()
    {
        var html = await platform.CreateClient().GetStringAsync("/developers/api");
        var page = ParticipantArrange.Html(html);

        var operations = page.QuerySelectorAll("[data-testid=api-operation]");
        Assert.Equal(MappedEndpoints().Count, operations.Length);
        Assert.All(operations, o => Assert.NotEmpty(o.QuerySelectorAll("[data-testid=api-response]")));
        Assert.Contains("POST", html);
        Assert.Contains("/api/v1/competitions/{slug}/submissions", html);
        Assert.Contains("The competition does not take submissions now", html);
        Assert.Contains("/openapi/v1.json", html);
    }
}
