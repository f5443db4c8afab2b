using BiasBounty.Web.OrganizerShell;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Accounts;

namespace BiasBounty.Web.Rewards;

public static class RewardsExtensions
{
    /// <summary>Closing a competition and its payout ledger.</summary>
    public static IHostApplicationBuilder AddRewards(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CompetitionClosing>();
        builder.Services.AddScoped<PayoutLedger>();
        return builder;
    }

    /// <summary><c>/organize/{slug}/payouts.csv</c>: the payout ledger for the competition's organizer and admins (404 for anyone else).</summary>
    public static IEndpointRouteBuilder MapRewards(this IEndpointRouteBuilder app)
    {
        app.MapGet("/organize/{slug}/payouts.csv", PayoutsCsvAsync).RequireAuthorization(Roles.StaffPolicy);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> PayoutsCsvAsync(
        string slug, HttpContext http, ApplicationDbContext db, PayoutLedger ledger, CancellationToken ct)
    {
        var competitionId = await db.Competitions.OrganizedBy(http.User).Where(c => c.Slug == slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (competitionId is not { } id) return TypedResults.NotFound();
        return TypedResults.File(PayoutLedger.ToCsv(await ledger.LinesAsync(id, ct)), "text/csv; charset=utf-8", $"{slug}-payouts.csv");
    }
}
