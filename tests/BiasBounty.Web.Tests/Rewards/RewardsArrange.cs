using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;

namespace BiasBounty.Web.Tests.Rewards;

/// <summary>Competitions with teams and triaged scores of known points, for the close and payout tests.</summary>
public static class RewardsArrange
{
    /// <summary>An open competition with the demo's set-up (no files: closing needs none), owned by <paramref name="organizerId"/>, with a reward pool in euros.</summary>
    public static CompetitionBuilder Competition(string organizerId, decimal pool) =>
        CompetitionBuilder.New("Rewards").LikeDemo().OrganizedBy(organizerId).WithReward(pool, "EUR");

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
