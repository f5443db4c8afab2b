using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Tests.Rewards;

/// <summary>Competitions with teams and triaged scores of known points, for the close and payout tests.</summary>
public static class RewardsArrange
{
    /// <summary>An open competition with the demo's settings and schema (no files: closing needs none), owned by <paramref name="organizerId"/>.</summary>
    public static async Task<Competition> CompetitionAsync(ApplicationDbContext db, string organizerId, decimal pool, string currency = "EUR")
    {
        var demo = await Arrange.DemoCompetitionAsync(db);
        var competition = new Competition
        {
            Name = "Rewards " + Guid.NewGuid().ToString("N")[..6], Slug = "rewards-" + Guid.NewGuid().ToString("N")[..10],
            OrganizerId = organizerId, OpensAt = DateTimeOffset.UtcNow.AddDays(-1), ClosesAt = DateTimeOffset.UtcNow.AddDays(30),
            Metric = demo.Metric, Settings = demo.Settings, SplitSeed = demo.SplitSeed, LabelColumn = demo.LabelColumn,
            PositiveClass = demo.PositiveClass, SchemaJson = demo.SchemaJson, RewardPool = pool, RewardCurrency = currency,
            Status = CompetitionStatus.Open,
        };
        db.Competitions.Add(competition);
        await db.SaveChangesAsync();
        return competition;
    }

    /// <summary>A scored submission of <paramref name="team"/> worth <paramref name="points"/>, triaged as given.</summary>
    public static async Task<Submission> ScoredAsync(ApplicationDbContext db, Competition competition, ApplicationUser user, Team team,
        double points, TriageState triage)
    {
        var submission = new Submission
        {
            CompetitionId = competition.Id, TeamId = team.Id, UserId = user.Id, Expression = "age >= " + Random.Shared.Next(17, 90),
        };
        submission.TryParseExpression();
        var score = SyntheticScores.Score(submission, submission.Expression, Guid.NewGuid().ToString("N"), findingVerified: true, fixAccepted: false, points);
        submission.Triage = triage;
        db.Submissions.Add(submission);
        db.Scores.Add(score);
        await db.SaveChangesAsync();
        return submission;
    }

    /// <summary>An organizer's adjustment of a submission's points, with its reason.</summary>
    public static async Task AdjustAsync(ApplicationDbContext db, Submission submission, double delta, string actorId)
    {
        db.AwardAdjustments.Add(new AwardAdjustment
        {
            CompetitionId = submission.CompetitionId, SubmissionId = submission.Id, TeamId = submission.TeamId, Delta = delta,
            Reason = "found a second affected group", ActorId = actorId,
        });
        await db.SaveChangesAsync();
    }
}
