using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Tests.Leaderboard;

/// <summary>Verdicts written straight to the database (synthetic scores), so that each number on the page is known.</summary>
public sealed class LeaderboardArrange(ApplicationDbContext db, Competition competition)
{
    public static async Task<LeaderboardArrange> DemoAsync(ApplicationDbContext db) => new(db, await Arrange.DemoCompetitionAsync(db));

    public Competition Competition => competition;

    public async Task<(Team Team, ApplicationUser User)> TeamAsync(string name)
    {
        var (user, team) = await Arrange.TeamAsync(db, competition.Id, name);
        return (team, user);
    }

    /// <summary>A scored submission of <paramref name="team"/>; <paramref name="mask"/> defaults to the expression.</summary>
    public async Task<Submission> ScoredAsync((Team Team, ApplicationUser User) team, string expression, bool verified = true, bool fix = false,
        double points = 0, TriageState triage = TriageState.Scored, string? mask = null, DateTimeOffset? at = null,
        ScoreStatus status = ScoreStatus.Scored, DateTimeOffset? discloseAt = null, string? withheld = null)
    {
        var when = at ?? DateTimeOffset.UtcNow;
        var submission = new Submission
        {
            CompetitionId = competition.Id, TeamId = team.Team.Id, UserId = team.User.Id, Expression = expression, CreatedAt = when,
        };
        submission.TryParseExpression();
        var score = SyntheticScores.Score(submission, expression, mask ?? expression, verified, fix, points, status: status, at: when);
        submission.Triage = triage;
        submission.DiscloseAt = discloseAt;
        submission.WithheldReason = withheld;
        db.Submissions.Add(submission);
        db.Scores.Add(score);
        await db.SaveChangesAsync();
        return submission;
    }

    /// <summary>A model version created by <paramref name="submission"/>'s accepted fix.</summary>
    public async Task VersionAsync(Submission submission, double feedbackLoss)
    {
        var last = await db.DecisionListVersions.Where(v => v.CompetitionId == competition.Id).OrderByDescending(v => v.Version).FirstAsync();
        db.DecisionListVersions.Add(new DecisionListVersion
        {
            CompetitionId = competition.Id, Version = last.Version + 1, ListJson = last.ListJson, // a valid list, though the page does not read it
            SubmissionId = submission.Id, FeedbackLoss = feedbackLoss,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>What every public change does: the cached pages of the competition go stale.</summary>
    public Task BumpAsync() => PublicRevision.BumpAsync(db, competition.Id);
}

public static class Html
{
    public static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    public static IElement Row(this IDocument page, string table, string team) =>
        page.QuerySelector($"[data-testid='{table}'] tbody tr[data-team='{team}']") ?? throw new Xunit.Sdk.XunitException($"no row for {team} in {table}");

    public static string Cell(this IElement row, string selector) => row.QuerySelector(selector)?.TextContent.Trim() ?? throw new Xunit.Sdk.XunitException($"no {selector}");
}
