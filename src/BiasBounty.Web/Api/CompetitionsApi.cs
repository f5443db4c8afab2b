using System.Text.Json;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Leaderboard;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Api;

/// <summary>Public reads: competitions, their public data card, the group check on public data, the leaderboard.</summary>
public static class CompetitionsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/competitions", ListAsync).AllowAnonymous()
            .WithName("ListCompetitions").WithSummary("Public competitions, newest first");
        api.MapGet("/competitions/{slug}", DetailAsync).AllowAnonymous()
            .WithName("GetCompetition").WithSummary("A competition: description, rules, metrics, limits and its public data card")
            .WithDescription("With a token, also your team and your remaining daily quota.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/competitions/{slug}/groups/check", CheckGroupAsync).AllowAnonymous()
            .WithName("CheckGroup").WithSummary("Check an expression on the PUBLIC training data, as the submit form's live check does")
            .WithDescription("Body: " + GroupCheckBody.Example + ". Says whether the expression parses, how many public rows it selects and " +
                "whether that is enough; it never touches the holdout, and it does not count against any quota.")
            .DescribesBody<GroupCheckRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/competitions/{slug}/leaderboard", LeaderboardAsync).AllowAnonymous()
            .WithName("GetLeaderboard").WithSummary("Standings, disclosed findings and how the model improved, as the public page shows them")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<CompetitionSummary[]>> ListAsync(ApplicationDbContext db, CancellationToken ct)
    {
        var rows = await db.Competitions.AsNoTracking().Public().OrderByDescending(c => c.CreatedAt)
            .Select(c => new { c.Slug, c.Name, c.Status, c.OpensAt, c.ClosesAt, c.Metric }).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(c => new CompetitionSummary(c.Slug, c.Name, c.Status.Name(), c.OpensAt, c.ClosesAt, c.Metric.Name(), CompetitionLinks.For(c.Slug))).ToArray());
    }

    private static async Task<Results<Ok<CompetitionDetail>, ProblemHttpResult>> DetailAsync(string slug, HttpContext http, ApplicationDbContext db, SubmitEntry entry, TeamMembership teams, CancellationToken ct)
    {
        var callerId = ApiExtensions.TokenUserId(http);
        var competition = await db.Competitions.AsNoTracking().Public().Where(c => c.Slug == slug)
            .Select(c => new { c.Id, c.Status, c.OpensAt, c.ClosesAt, c.DescriptionMarkdown, c.RulesMarkdown }).SingleOrDefaultAsync(ct);
        if (competition is null || await entry.ContextAsync(slug, callerId, ct) is not { } context) return NoSuchCompetition(slug);
        var you = callerId is null ? null
            : new CallerResponse(await teams.ForUserAsync(competition.Id, callerId, ct) is { } team ? new TeamResponse(team.Id, team.Name) : null,
                QuotaResponse.Of(context.Quota));
        return TypedResults.Ok(new CompetitionDetail(context.Slug, context.Name, competition.Status.Name(), context.IsOpen, competition.OpensAt, competition.ClosesAt,
            context.DefaultMetric.Name(), context.Metrics.Select(m => m.Name()).ToArray(), competition.DescriptionMarkdown, competition.RulesMarkdown,
            context.MaxModelBytes, context.Quota.Limit, context.Data?.Card, you, CompetitionLinks.For(slug)));
    }

    /// <summary>Exactly the submit form's live check: the expression against the PUBLIC training data, never the holdout.</summary>
    private static async Task<Results<Ok<GroupCheckResponse>, ProblemHttpResult>> CheckGroupAsync(string slug, HttpContext http, SubmitEntry entry, CancellationToken ct)
    {
        var (expression, refusal) = await GroupCheckBody.ReadAsync(http.Request, ct);
        if (refusal is not null) return refusal;
        if (await entry.ContextAsync(slug, null, ct) is not { } context) return NoSuchCompetition(slug);
        return TypedResults.Ok(GroupCheckResponse.Of(SubmitEntry.CheckExpression(context.Data, expression, context.SizeRule)));
    }

    private static async Task<Results<Ok<LeaderboardResponse>, ProblemHttpResult>> LeaderboardAsync(string slug, LeaderboardQuery leaderboard, CancellationToken ct) =>
        await leaderboard.ForAsync(slug, ct) is { } view ? TypedResults.Ok(LeaderboardResponse.Of(view)) : NoSuchCompetition(slug);

    public static ProblemHttpResult NoSuchCompetition(string slug) => ApiProblems.NotFound($"There is no competition '{slug}'.");
}
