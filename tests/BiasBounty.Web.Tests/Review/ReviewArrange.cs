using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Review;

/// <summary>
/// Competitions and finished submissions for the review tests, written straight to the database: triage only needs a
/// finished submission and its record, so the engine is run only where its own answer is under test.
/// </summary>
public static class ReviewArrange
{
    /// <summary>A submission the engine has answered (state Scored, triage Scored) with a record worth <paramref name="points"/>.</summary>
    public static async Task<Submission> ScoredAsync(ApplicationDbContext db, Competition competition, Team team, string expression,
        double points = 3, Func<ScoreRecord, ScoreRecord>? record = null, DateTimeOffset? createdAt = null)
    {
        var userId = team.Members.First().UserId;
        var user = await db.Users.FindAsync(userId) ?? throw new InvalidOperationException("no member");
        var submission = await Arrange.SubmissionAsync(db, competition, user, team, expression);
        if (createdAt is { } at) submission.CreatedAt = at;
        db.AuditEvents.Add(submission.MoveTo(SubmissionState.Scored)); // the audit line the job writes; the score below keeps the state
        var score = SyntheticScores.Score(submission, expression, Guid.NewGuid().ToString("N"), findingVerified: true, fixAccepted: false, points);
        if (record is not null)
        {
            score.Record = record(score.Record);
            score.Released = SubmissionScorer.Release(score.Record);
            (score.Status, score.MaskHash, score.FindingVerified) = (score.Record.Status, score.Record.MaskHash, score.Record.FindingVerified);
        }
        db.Scores.Add(score);
        await db.SaveChangesAsync();
        return submission;
    }

    /// <summary>A team of one (a confirmed member, so e-mails go out) in <paramref name="competition"/>.</summary>
    public static async Task<Team> TeamAsync(ApplicationDbContext db, Competition competition, string name) =>
        (await Arrange.TeamAsync(db, competition.Id, name)).Team;

    public static TriageService Triage(AsyncServiceScope scope) =>
        scope.ServiceProvider.GetRequiredService<TriageService>();
}
