using BiasBounty.Web.Accounts;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BiasBounty.Web.Deployers;

public static class DeployersExtensions
{
    public const string RetentionJobId = "deployer-data-retention";

    /// <summary>Deployers: invitations, private uploads, replays (a Hangfire job) and the daily retention clean-up.</summary>
    public static IHostApplicationBuilder AddDeployers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DeployerInvitations>();
        builder.Services.AddScoped<DeployerUploads>();
        builder.Services.AddScoped<ReplayJob>();
        builder.Services.AddRecurringJob<DeployerDataRetention>(RetentionJobId, job => job.RunAsync(),
            provider => provider.GetRequiredService<IConfiguration>()["BiasBounty:Deployers:RetentionSchedule"] ?? "17 3 * * *");
        return builder;
    }

    /// <summary><c>/deploy/replays/{id}/report.json</c> and <c>.csv</c>: a finished report, for its owner only (404 for anyone else).</summary>
    public static IEndpointRouteBuilder MapDeployers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/deploy/replays/{id:guid}/report.json", (Guid id, HttpContext http, ApplicationDbContext db, CancellationToken ct) =>
            ReportAsync(id, http, db, "json", ct)).RequireAuthorization();
        app.MapGet("/deploy/replays/{id:guid}/report.csv", (Guid id, HttpContext http, ApplicationDbContext db, CancellationToken ct) =>
            ReportAsync(id, http, db, "csv", ct)).RequireAuthorization();
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ReportAsync(Guid id, HttpContext http, ApplicationDbContext db, string format, CancellationToken ct)
    {
        var run = http.User.UserId() is { } userId ? await DeployerAccess.OwnRunAsync(db, id, userId, ct) : null;
        if (run?.ReportJson is not { } json) return TypedResults.NotFound();
        return format == "json"
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(json), "application/json", $"replay-{id}.json")
            : TypedResults.File(ReplayReports.ToCsv(ReplayReports.FromJson(json)), "text/csv; charset=utf-8", $"replay-{id}.csv");
    }
}
