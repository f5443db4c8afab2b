using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
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
    /// A copy of the demo competition (same files, settings and baseline version 0, through
    /// <see cref="CompetitionAssembly.SaveAsync"/> as the seeder does) under a fresh slug, with a fresh organizer.
    /// Walks that triage, approve, disclose or close use their own copy: the demo competition is shared by every test
    /// of the collection (the participant journey expects its fix to be the first accepted one there).
    /// </summary>
    public static async Task<WalkCompetition> CompetitionAsync(KestrelPlatform platform, string name)
    {
        var organizerEmail = await AccountPages.ConfirmedUserAsync(platform, "organizer", Roles.Organizer);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var organizerId = await db.Users.Where(u => u.Email == organizerEmail).Select(u => u.Id).SingleAsync();
        var demo = await db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == DemoSeeder.Slug);
        var training = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == demo.TrainingFileId);
        var holdout = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == demo.HoldoutFileId);
        var model = await db.StoredFiles.AsNoTracking()
            .Where(f => f.CompetitionId == demo.Id && f.Kind == StoredFileKind.Model && f.FileName == "baseline.onnx").FirstAsync();
        var baseline = await db.DecisionListVersions.AsNoTracking().SingleAsync(v => v.CompetitionId == demo.Id && v.Version == 0);

        var now = DateTimeOffset.UtcNow;
        var competition = new Competition
        {
            Name = $"{name} {Guid.NewGuid().ToString("N")[..6]}",
            Slug = $"walk-{name.ToLowerInvariant().Replace(' ', '-')}-{Guid.NewGuid().ToString("N")[..8]}",
            DescriptionMarkdown = demo.DescriptionMarkdown,
            OpensAt = now.AddDays(-1),
            ClosesAt = now.AddDays(60),
            Metric = demo.Metric,
            Settings = demo.Settings,
            SplitSeed = demo.SplitSeed,
            RewardPool = demo.RewardPool,
            RewardCurrency = demo.RewardCurrency,
            Status = CompetitionStatus.Open,
            LabelColumn = demo.LabelColumn,
            PositiveClass = demo.PositiveClass,
            SchemaJson = demo.SchemaJson,
            OrganizerId = organizerId,
            CreatedAt = now,
        };
        await scope.ServiceProvider.GetRequiredService<CompetitionAssembly>().SaveAsync(competition,
            Data(training), Data(holdout), model.FileName, model.Content, new BaseModelCheck(baseline.ListJson, baseline.FeedbackLoss),
            CancellationToken.None);
        return new WalkCompetition(competition.Id, competition.Slug, competition.Name, organizerEmail);
    }

    private static DataFile Data(StoredFile file) =>
        new(file.FileName, file.Content, file.LoadSchemaJson ?? throw new InvalidOperationException($"{file.FileName} has no load schema"));

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
