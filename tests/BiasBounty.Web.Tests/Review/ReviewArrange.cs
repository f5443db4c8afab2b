using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
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
    /// <summary>A competition of its own (no data: triage never reads it), organized by <paramref name="organizerId"/>.</summary>
    public static async Task<Competition> CompetitionAsync(ApplicationDbContext db, string? organizerId = null,
        CompetitionStatus status = CompetitionStatus.Open, int embargoDays = Competition.DefaultEmbargoDays)
    {
        var slug = "review-" + Guid.NewGuid().ToString("N")[..10];
        var competition = new Competition
        {
            Name = "Review " + slug, Slug = slug, OrganizerId = organizerId, Status = status, DisclosureEmbargoDays = embargoDays,
            LabelColumn = "y", SchemaJson = "{}", OpensAt = DateTimeOffset.UtcNow.AddDays(-10), ClosesAt = DateTimeOffset.UtcNow.AddDays(10),
        };
        db.Competitions.Add(competition);
        await db.SaveChangesAsync();
        return competition;
    }

    /// <summary>A submission the engine has answered (state Scored, triage Scored) with a record worth <paramref name="points"/>.</summary>
    public static async Task<Submission> ScoredAsync(ApplicationDbContext db, Competition competition, Team team, string expression,
        double points = 3, Func<ScoreRecord, ScoreRecord>? record = null, DateTimeOffset? createdAt = null)
    {
        var userId = team.Members.First().UserId;
        var user = await db.Users.FindAsync(userId) ?? throw new InvalidOperationException("no member");
        var submission = await Arrange.SubmissionAsync(db, competition, user, team, expression);
        if (createdAt is { } at) submission.CreatedAt = at;
        db.AuditEvents.Add(submission.MoveTo(SubmissionState.Scored));
        var scored = new ScoreRecord
        {
            SubmissionId = submission.Id.ToString(), Metric = Metric.Error, Status = ScoreStatus.Scored, Group = expression,
            MaskHash = Guid.NewGuid().ToString("N"), GroupRows = 120, GroupShare = 0.12, Points = points,
            Finding = new FindingResult(120, 40, 880, 100, 0.33, 0.11, "z", 4.2, 0.0001, 0.01, 0.1, 0.3, true, []),
            Provenance = new Provenance("holdout", 0, "test", 1, "noise", 0.01, 0.01),
        };
        scored = record?.Invoke(scored) ?? scored;
        db.Scores.Add(new SubmissionScore
        {
            SubmissionId = submission.Id, CompetitionId = competition.Id, TeamId = team.Id, Record = scored,
            Released = new ReleasedView(scored.SubmissionId, scored.Status, "summary", true, null, null, null, null, null, null, points, scored.DuplicateOf),
            Status = scored.Status, MaskHash = scored.MaskHash, FindingVerified = scored.FindingVerified, Points = points,
        });
        await db.SaveChangesAsync();
        return submission;
    }

    /// <summary>A team of one (a confirmed member, so e-mails go out) in <paramref name="competition"/>.</summary>
    public static async Task<Team> TeamAsync(ApplicationDbContext db, Competition competition, string name) =>
        (await Arrange.TeamAsync(db, competition.Id, name)).Team;

    public static TriageService Triage(AsyncServiceScope scope) =>
        scope.ServiceProvider.GetRequiredService<TriageService>();
}
