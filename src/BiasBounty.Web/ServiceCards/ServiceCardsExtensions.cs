using System.Security.Claims;
using BiasBounty.Web.Rewards;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BiasBounty.Web.ServiceCards;

/// <summary>At the close, the final version's card is produced by a job (not published: the organizer does that).</summary>
internal sealed class FinalCardAtClose(IBackgroundJobClient jobs) : ICloseFollowUp
{
    public void AfterClose(Guid competitionId) => jobs.Enqueue<ServiceCardProduction>(p => p.ProduceFinalAsync(competitionId, CancellationToken.None));
}

public static class ServiceCardsExtensions
{
    public static IHostApplicationBuilder AddServiceCards(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ServiceCardBuilder>();
        builder.Services.AddScoped<ServiceCardProduction>();
        builder.Services.AddScoped<ServiceCardQuery>();
        builder.Services.AddScoped<ICloseFollowUp, FinalCardAtClose>();
        return builder;
    }

    /// <summary>The card's Markdown and JSON downloads, under the same visibility rule as its page.</summary>
    public static IEndpointRouteBuilder MapServiceCards(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/competitions/{slug}/service-card").AllowAnonymous();
        group.MapGet("/{version:int}/card.md", MarkdownAsync);
        group.MapGet("/{version:int}/card.json", JsonAsync);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> MarkdownAsync(string slug, int version, ClaimsPrincipal user, ServiceCardQuery cards, CancellationToken ct) =>
        await cards.ForAsync(slug, version, user, ct) is { } visible
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(ServiceCardMarkdown.Render(visible.Document)), "text/markdown; charset=utf-8", FileName(slug, version, "md"))
            : TypedResults.NotFound();

    private static async Task<Results<FileContentHttpResult, NotFound>> JsonAsync(string slug, int version, ClaimsPrincipal user, ServiceCardQuery cards, CancellationToken ct) =>
        await cards.ForAsync(slug, version, user, ct) is { } visible
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(visible.Document.ToJson()), "application/json", FileName(slug, version, "json"))
            : TypedResults.NotFound();

    public static string FileName(string slug, int version, string extension) => $"{slug}-service-card-v{version}.{extension}";
}
