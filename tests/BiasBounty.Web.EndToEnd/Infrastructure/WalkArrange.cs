using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Review;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.EndToEnd.Infrastructure;

/// <summary>A competition of one walk's own, and the organizer who runs it (password <see cref="AccountPages.Password"/>).</summary>
public sealed record WalkCompetition(Guid Id, string Slug, string Name, string OrganizerEmail);

/// <summary>A team of one arranged in the database; its member has no password (it never logs in).</summary>
public sealed record WalkTeam(Guid Id, string Name, string UserId);

/// <summary>
/// The data a walk needs but is not about, written through the platform's own services and database: a competition
/// copied from the demo one, teams, submissions scored by the real scoring job, approvals. The actions a walk IS about
/// are done in the browser.
/// </summary>
public static class WalkArrange
{
    /// <summary>
    /// A copy of the demo competition (same files, settings and baseline version 0: <see cref="CompetitionBuilder.SaveWithDemoDataAsync"/>)
    /// under a fresh slug, with a fresh organizer.
    /// Walks that triage, approve, disclose or close use their own copy: the demo competition is shared by every test
    /// of the collection (the participant journey expects its fix to be the first accepted one there).
    /// </summary>
    public static async Task<WalkCompetition> CompetitionAsync(KestrelPlatform platform, string name)
    {
        var organizerEmail = await AccountPages.ConfirmedUserAsync(platform, "organizer", Roles.Organizer);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var organizerId = await db.Users.Where(u => u.Email == organizerEmail).Select(u => u.Id).SingleAsync();
        var competition = await CompetitionBuilder.New(name).OrganizedBy(organizerId)
            .Between(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60)).SaveWithDemoDataAsync(scope);
        return new WalkCompetition(competition.Id, competition.Slug, competition.Name, organizerEmail);
    }

    /// <summary>A new team of one (a member without a password) in the competition.</summary>
    public static async Task<WalkTeam> TeamAsync(KestrelPlatform platform, Guid competitionId, string name)
    {
        await using var scope = platform.Scope();
        var (user, team) = await Arrange.TeamAsync(platform.NewDb(scope), competitionId, name);
        return new WalkTeam(team.Id, team.Name, user.Id);
    }

    /// <summary>A queued submission of the team's member (not yet on the job queue).</summary>
    public static async Task<Guid> QueuedAsync(KestrelPlatform platform, WalkTeam team, string expression, byte[]? fix = null)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var teamRow = await db.Teams.SingleAsync(t => t.Id == team.Id);
        var competition = await db.Competitions.SingleAsync(c => c.Id == teamRow.CompetitionId);
        var user = await db.Users.SingleAsync(u => u.Id == team.UserId);
        return (await Arrange.SubmissionAsync(db, competition, user, teamRow, expression, fix)).Id;
    }

    /// <summary>A submission scored by the real job (run here, not on the queue) and checked to be Scored.</summary>
    public static async Task<Guid> ScoredAsync(KestrelPlatform platform, WalkTeam team, string expression, byte[]? fix = null)
    {
        var id = await QueuedAsync(platform, team, expression, fix);
        await platform.RunScoringJobAsync(id);
        var scored = await Arrange.FinishedAsync(platform, id);
        if (scored.State != SubmissionState.Scored)
            throw new InvalidOperationException($"arranged submission '{expression}' of {team.Name} ended {scored.State}: {scored.FailureReason}");
        return id;
    }

    /// <summary>Puts the submission on Hangfire's queue, as the submit form does; a worker of the platform scores it.</summary>
    public static void Enqueue(KestrelPlatform platform, Guid submissionId) =>
        platform.Jobs.Enqueue<ScoreSubmissionJob>(job => job.RunAsync(submissionId, CancellationToken.None));

    /// <summary>
    /// An organizer's approval written directly (for walks whose subject is not triage): the state, note and disclosure
    /// date, its audit event, and a bump of the public revision in the same transaction.
    /// </summary>
    public static async Task ApproveAsync(KestrelPlatform platform, Guid submissionId, DateTimeOffset discloseAt, string note = "Approved (arranged)")
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        await using var tx = await db.Database.BeginTransactionAsync();
        var submission = await db.Submissions.SingleAsync(s => s.Id == submissionId);
        submission.Triage = TriageState.Approved;
        submission.TriageNote = note;
        submission.TriagedAt = DateTimeOffset.UtcNow;
        submission.DiscloseAt = discloseAt;
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = submission.CompetitionId, SubmissionId = submission.Id, Kind = AuditEvent.TriageChanged, Detail = note,
        });
        await db.SaveChangesAsync();
        await PublicRevision.BumpAsync(db, submission.CompetitionId);
        await tx.CommitAsync();
    }
}
