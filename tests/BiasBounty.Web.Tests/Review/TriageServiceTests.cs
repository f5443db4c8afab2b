using BiasBounty.Web.Competitions;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Tests.Review;

/// <summary>The organizer's decisions against the real database: the rules, and everything one decision writes.</summary>
public sealed class TriageServiceTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private sealed record Setup(Competition Competition, Team Team, string ActorId);

    private async Task<Setup> SetupAsync(CompetitionStatus status = CompetitionStatus.Open, int embargoDays = 7)
    {
        var (actorId, _) = await SignedInClient.UserAsync(platform, Web.Accounts.Roles.Organizer);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await CompetitionBuilder.New("Review").OrganizedBy(actorId).WithStatus(status).WithEmbargoDays(embargoDays).SaveAsync(db);
        var team = await ReviewArrange.TeamAsync(db, competition, "Team " + Guid.NewGuid().ToString("N")[..6]);
        return new Setup(competition, team, actorId);
    }

    private async Task<Submission> ScoredAsync(Setup setup, string expression = "age > 50", double points = 3, DateTimeOffset? createdAt = null)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var team = await db.Teams.Include(t => t.Members).SingleAsync(t => t.Id == setup.Team.Id);
        return await ReviewArrange.ScoredAsync(db, setup.Competition, team, expression, points, createdAt: createdAt);
    }

    private async Task<T> WithTriageAsync<T>(Func<TriageService, Task<T>> act)
    {
        await using var scope = platform.Scope();
        return await act(ReviewArrange.Triage(scope));
    }

    private Task<ReviewOutcome> DecideAsync(Setup setup, Guid id, TriageState to, string? note, Guid? original = null) =>
        WithTriageAsync(t => t.DecideAsync(setup.Competition.Id, id, new TriageDecision(to, note, original), setup.ActorId));

    private async Task<T> ReadAsync<T>(Func<ApplicationDbContext, Task<T>> read)
    {
        await using var scope = platform.Scope();
        return await read(platform.NewDb(scope));
    }

    private Task<Submission> SubmissionAsync(Guid id) => ReadAsync(db => db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id));

    private Task<long> RevisionAsync(Setup setup) => ReadAsync(db => db.Competitions.Where(c => c.Id == setup.Competition.Id).Select(c => c.Revision).SingleAsync());

    private Task<List<AuditEvent>> AuditAsync(Guid id, string kind) =>
        ReadAsync(db => db.AuditEvents.AsNoTracking().Where(a => a.SubmissionId == id && a.Kind == kind).OrderBy(a => a.Id).ToListAsync());

    [Fact]
    public async Task NoPointsAreAdjustedOrApproved_WhereTheyCouldNotCount_AFailedSubmissionOrAForfeitedOne()
    {
        var setup = await SetupAsync();
        var disqualified = await ScoredAsync(setup, "age > 64");
        Assert.True((await DecideAsync(setup, disqualified.Id, TriageState.Disqualified, "rule 3")).Ok);
        Guid failedId;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var team = await db.Teams.Include(t => t.Members).SingleAsync(t => t.Id == setup.Team.Id);
            var user = await db.Users.SingleAsync(u => u.Id == team.Members.First().UserId);
            var failed = await Arrange.SubmissionAsync(db, setup.Competition, user, team, "age > 65");
            db.AuditEvents.Add(failed.MoveTo(SubmissionState.Failed, "the model is not a valid ONNX file"));
            await db.SaveChangesAsync();
            failedId = failed.Id;
        }

        Task<ReviewOutcome> AdjustAsync(Guid id) => WithTriageAsync(t => t.AdjustAwardAsync(setup.Competition.Id, id, 2, "bonus", setup.ActorId));
        var forfeited = await AdjustAsync(disqualified.Id);
        var noVerdict = await AdjustAsync(failedId);
        var approveFailed = await DecideAsync(setup, failedId, TriageState.Approved, "looks right");

        Assert.False(forfeited.Ok);
        Assert.Contains("Disqualified", forfeited.Message);
        Assert.False(noVerdict.Ok);
        Assert.Contains("no verdict", noVerdict.Message);
        Assert.False(approveFailed.Ok);
        Assert.Contains("no verdict", approveFailed.Message);
        Assert.Equal(0, await ReadAsync(db => db.AwardAdjustments.CountAsync(a => a.CompetitionId == setup.Competition.Id)));
        Assert.Equal(TriageState.Scored, (await SubmissionAsync(failedId)).Triage);
    }

    [Fact]
    public async Task DisclosureNoticeJob_TellsTheTeamOnceWhenTheEmbargoEnds_NotBefore_AndNotAgainAfterAnEarlyDisclosure()
    {
        var atApproval = await SetupAsync(embargoDays: 0);
        var embargoed = await SetupAsync(embargoDays: 7);
        var public0 = await ScoredAsync(atApproval, "age > 61");
        var later = await ScoredAsync(embargoed, "age > 62");
        var early = await ScoredAsync(embargoed, "age > 63");
        foreach (var (setup, id) in new[] { (atApproval, public0.Id), (embargoed, later.Id), (embargoed, early.Id) })
            Assert.True((await DecideAsync(setup, id, TriageState.Approved, "confirmed")).Ok);
        Assert.True((await WithTriageAsync(t => t.DiscloseNowAsync(embargoed.Competition.Id, early.Id, embargoed.ActorId))).Ok);

        Task<int> NoticesAsync(Guid id) => ReadAsync(db => db.Notifications.CountAsync(n => n.SubmissionId == id && n.Kind == Notification.Disclosure));
        Task<int[]> AllNoticesAsync() => Task.WhenAll(NoticesAsync(public0.Id), NoticesAsync(later.Id), NoticesAsync(early.Id));
        Assert.Equal(new[] { 0, 0, 1 }, await AllNoticesAsync());

        for (var run = 0; run < 2; run++)
        {
            await using var scope = platform.Scope();
            await scope.ServiceProvider.GetRequiredService<DisclosureNoticeJob>().RunAsync(CancellationToken.None);
        }

        Assert.Equal(new[] { 1, 0, 1 }, await AllNoticesAsync());
        var notice = await ReadAsync(db => db.Notifications.SingleAsync(n => n.SubmissionId == public0.Id && n.Kind == Notification.Disclosure));
        Assert.Contains("now public", notice.Title);
        Assert.NotNull((await SubmissionAsync(public0.Id)).DisclosureNoticeSentAt);
        Assert.Null((await SubmissionAsync(later.Id)).DisclosureNoticeSentAt);
    }

    [Fact]
    public async Task Approve_RecordsTheDecision_StartsTheEmbargo_AuditsTellsTheTeamByMail_AndBumpsTheRevision()
    {
        var setup = await SetupAsync(embargoDays: 7);
        var submission = await ScoredAsync(setup);
        var revision = await RevisionAsync(setup);

        var outcome = await DecideAsync(setup, submission.Id, TriageState.Approved, "  A clear, well-argued finding.  ");

        Assert.True(outcome.Ok, outcome.Message);
        var stored = await SubmissionAsync(submission.Id);
        Assert.Equal(TriageState.Approved, stored.Triage);
        Assert.Equal("A clear, well-argued finding.", stored.TriageNote);
        Assert.Equal(setup.ActorId, stored.TriagedById);
        Assert.NotNull(stored.TriagedAt);
        Assert.InRange(stored.TriagedAt.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(stored.TriagedAt.Value.AddDays(7), stored.DiscloseAt);
        Assert.False(stored.IsDisclosed(DateTimeOffset.UtcNow));

        var audit = Assert.Single(await AuditAsync(submission.Id, AuditEvent.TriageChanged));
        Assert.Equal("Scored → Approved: A clear, well-argued finding.", audit.Detail);
        Assert.Equal(setup.ActorId, audit.ActorId);
        Assert.Equal(setup.Competition.Id, audit.CompetitionId);

        var member = setup.Team.Members.Single().UserId;
        var notice = await ReadAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.SubmissionId == submission.Id));
        Assert.Equal((Notification.Triage, member), (notice.Kind, notice.UserId));
        Assert.Contains("A clear, well-argued finding.", notice.Body);
        Assert.Equal($"submissions/{submission.Id}", notice.Link);
        var email = await ReadAsync(db => db.Users.Where(u => u.Id == member).Select(u => u.Email).SingleAsync());
        var mail = await ReadAsync(db => db.Outbox.AsNoTracking().SingleAsync(m => m.To == email));
        Assert.Contains("approved", mail.Subject);
        Assert.Contains("A clear, well-argued finding.", mail.HtmlBody);

        Assert.Equal(revision + 1, await RevisionAsync(setup));
    }

    [Fact]
    public async Task EveryTransition_IsRecorded_AndLeavingApproved_TakesTheFindingOffThePublicPages()
    {
        var setup = await SetupAsync();
        var original = await ScoredAsync(setup, "age > 60", createdAt: DateTimeOffset.UtcNow.AddHours(-2));
        var submission = await ScoredAsync(setup, "age > 61");

        Assert.True((await DecideAsync(setup, submission.Id, TriageState.NeedsMoreInfo, "Which rows?")).Ok);
        Assert.True((await DecideAsync(setup, submission.Id, TriageState.Approved, "Thanks, clear now.")).Ok);
        Assert.NotNull((await SubmissionAsync(submission.Id)).DiscloseAt);
        Assert.True((await DecideAsync(setup, submission.Id, TriageState.Duplicate, "Same as the earlier one.", original.Id)).Ok);
        var duplicate = await SubmissionAsync(submission.Id);
        Assert.Equal(original.Id, duplicate.DuplicateOfId);
        Assert.Null(duplicate.DiscloseAt);
        Assert.True((await DecideAsync(setup, submission.Id, TriageState.Disqualified, "Broke rule 3.")).Ok);
        var disqualified = await SubmissionAsync(submission.Id);
        Assert.Null(disqualified.DuplicateOfId);
        Assert.Equal((TriageState.Disqualified, "Broke rule 3."), (disqualified.Triage, disqualified.TriageNote));

        Assert.Equal(
            [
                "Scored → Needs more info: Which rows?",
                "Needs more info → Approved: Thanks, clear now.",
                $"Approved → Duplicate of {original.Id}: Same as the earlier one.",
                "Duplicate → Disqualified: Broke rule 3.",
            ],
            (await AuditAsync(submission.Id, AuditEvent.TriageChanged)).Select(a => a.Detail));
        Assert.Equal(4, await ReadAsync(db => db.Notifications.CountAsync(n => n.SubmissionId == submission.Id && n.Kind == Notification.Triage)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task ANote_IsMandatory(string? note)
    {
        var setup = await SetupAsync();
        var submission = await ScoredAsync(setup);
        var revision = await RevisionAsync(setup);

        var outcome = await DecideAsync(setup, submission.Id, TriageState.Approved, note);

        Assert.False(outcome.Ok);
        Assert.Equal("Write a note for the team: it is mandatory.", outcome.Message);
        Assert.Equal(TriageState.Scored, (await SubmissionAsync(submission.Id)).Triage);
        Assert.Empty(await AuditAsync(submission.Id, AuditEvent.TriageChanged));
        Assert.Equal(revision, await RevisionAsync(setup));
    }

    [Fact]
    public async Task ADuplicate_NeedsAnEarlierSubmission_OfTheSameCompetition()
    {
        var setup = await SetupAsync();
        var other = await SetupAsync();
        var earlier = await ScoredAsync(setup, "age > 30", createdAt: DateTimeOffset.UtcNow.AddHours(-3));
        var elsewhere = await ScoredAsync(other, "age > 30", createdAt: DateTimeOffset.UtcNow.AddHours(-3));
        var submission = await ScoredAsync(setup, "age > 31", createdAt: DateTimeOffset.UtcNow.AddHours(-2));
        var later = await ScoredAsync(setup, "age > 32", createdAt: DateTimeOffset.UtcNow.AddHours(-1));

        Assert.Equal("Choose the earlier submission this one duplicates.", (await DecideAsync(setup, submission.Id, TriageState.Duplicate, "dup")).Message);
        Assert.Equal("The original must be an earlier submission than this one.", (await DecideAsync(setup, submission.Id, TriageState.Duplicate, "dup", later.Id)).Message);
        Assert.Equal("The original must be an earlier submission than this one.", (await DecideAsync(setup, submission.Id, TriageState.Duplicate, "dup", submission.Id)).Message);
        Assert.Equal("The original must be a submission of the same competition.", (await DecideAsync(setup, submission.Id, TriageState.Duplicate, "dup", elsewhere.Id)).Message);
        Assert.Equal("The original must be a submission of the same competition.", (await DecideAsync(setup, submission.Id, TriageState.Duplicate, "dup", Guid.NewGuid())).Message);
        Assert.Equal(TriageState.Scored, (await SubmissionAsync(submission.Id)).Triage);

        Assert.True((await DecideAsync(setup, submission.Id, TriageState.Duplicate, "Same rows as the earlier one.", earlier.Id)).Ok);
        var stored = await SubmissionAsync(submission.Id);
        Assert.Equal((TriageState.Duplicate, earlier.Id), (stored.Triage, stored.DuplicateOfId));
    }

    [Fact]
    public async Task OnlyFinishedSubmissions_OfAnOpenCompetition_CanBeTriaged()
    {
        var setup = await SetupAsync();
        Guid queued;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var user = await db.Users.SingleAsync(u => u.Id == setup.Team.Members.Single().UserId);
            queued = (await Arrange.SubmissionAsync(db, setup.Competition, user, setup.Team, "age > 40")).Id;
        }
        var outcome = await DecideAsync(setup, queued, TriageState.Approved, "Looks right");
        Assert.Equal("not scored yet (only finished submissions can be triaged)", outcome.Message);

        var closed = await SetupAsync(CompetitionStatus.Closed);
        var submission = await ScoredAsync(closed);
        Assert.Equal("The competition is closed: its triage is final.", (await DecideAsync(closed, submission.Id, TriageState.Approved, "Late")).Message);
        Assert.Equal("The competition is closed: its points are final.",
            (await WithTriageAsync(t => t.AdjustAwardAsync(closed.Competition.Id, submission.Id, 1, "Late bonus", closed.ActorId))).Message);

        Assert.Equal("There is no such submission in this competition.", (await DecideAsync(setup, submission.Id, TriageState.Approved, "Wrong competition")).Message);
        Assert.Equal("Choose Approved, Duplicate, Needs more info or Disqualified.", (await DecideAsync(setup, queued, TriageState.New, "Back to new")).Message);
    }

    [Fact]
    public async Task Bulk_AppliesToEachSubmission_InOneTransaction_AndSaysWhichWereSkippedAndWhy()
    {
        var setup = await SetupAsync();
        var other = await SetupAsync();
        var first = await ScoredAsync(setup, "age > 20");
        var second = await ScoredAsync(setup, "age > 21");
        var approved = await ScoredAsync(setup, "age > 22");
        Assert.True((await DecideAsync(setup, approved.Id, TriageState.Approved, "Already good")).Ok);
        var elsewhere = await ScoredAsync(other, "age > 23");
        Guid queued;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var user = await db.Users.SingleAsync(u => u.Id == setup.Team.Members.Single().UserId);
            queued = (await Arrange.SubmissionAsync(db, setup.Competition, user, setup.Team, "age > 24")).Id;
        }
        var revision = await RevisionAsync(setup);

        var outcome = await WithTriageAsync(t => t.DecideManyAsync(setup.Competition.Id, [first.Id, second.Id, approved.Id, elsewhere.Id, queued],
            TriageState.Approved, "Verified by hand.", setup.ActorId));

        Assert.Null(outcome.Refusal);
        Assert.Equal([first.Id, second.Id], outcome.Changed);
        Assert.Equal(
            [(approved.Id, "already Approved"), (elsewhere.Id, "not a submission of this competition"), (queued, "not scored yet (only finished submissions can be triaged)")],
            outcome.Skipped.Select(s => (s.SubmissionId, s.Reason)));
        Assert.StartsWith("2 submissions changed; 3 skipped: ", outcome.Message);
        Assert.Equal(TriageState.Approved, (await SubmissionAsync(first.Id)).Triage);
        Assert.NotNull((await SubmissionAsync(second.Id)).DiscloseAt);
        Assert.Equal("Already good", (await SubmissionAsync(approved.Id)).TriageNote);
        Assert.Equal(TriageState.Scored, (await SubmissionAsync(elsewhere.Id)).Triage);
        Assert.Equal("Scored → Approved: Verified by hand.", Assert.Single(await AuditAsync(second.Id, AuditEvent.TriageChanged)).Detail);
        Assert.Equal(revision + 1, await RevisionAsync(setup));

        var refused = await WithTriageAsync(t => t.DecideManyAsync(setup.Competition.Id, [approved.Id], TriageState.NeedsMoreInfo, " ", setup.ActorId));
        Assert.Equal("Write a note for the team: it is mandatory.", refused.Refusal);
        var duplicate = await WithTriageAsync(t => t.DecideManyAsync(setup.Competition.Id, [approved.Id], TriageState.Duplicate, "dup", setup.ActorId));
        Assert.NotNull(duplicate.Refusal);
        Assert.Equal(TriageState.Approved, (await SubmissionAsync(approved.Id)).Triage);
    }

    [Fact]
    public async Task AwardAdjustments_ChangeTheTeamsPoints_WithAWrittenReason_AndAreAuditedAndAnnounced()
    {
        var setup = await SetupAsync();
        var submission = await ScoredAsync(setup, points: 3);
        Assert.True((await DecideAsync(setup, submission.Id, TriageState.Approved, "Good")).Ok);
        Task<ReviewOutcome> AdjustAsync(double delta, string? reason) =>
            WithTriageAsync(t => t.AdjustAwardAsync(setup.Competition.Id, submission.Id, delta, reason, setup.ActorId));
        Task<TeamPoints> PointsAsync() => ReadAsync(async db => (await TeamPoints.ForCompetitionAsync(db, setup.Competition.Id))[setup.Team.Id]);

        Assert.Equal(3, (await PointsAsync()).Points);
        Assert.Equal("Write a reason for the adjustment: it is mandatory.", (await AdjustAsync(2, "")).Message);
        Assert.Equal("Enter a number of points other than 0 (negative to remove points).", (await AdjustAsync(0.01, "tiny")).Message);
        Assert.Equal("Enter a number of points other than 0 (negative to remove points).", (await AdjustAsync(double.NaN, "nan")).Message);
        Assert.False((await AdjustAsync(5000, "too much")).Ok);
        var revision = await RevisionAsync(setup);

        var outcome = await AdjustAsync(2.54, "Exceptionally clear write-up.");

        Assert.True(outcome.Ok, outcome.Message);
        var adjustment = await ReadAsync(db => db.AwardAdjustments.AsNoTracking().SingleAsync(a => a.SubmissionId == submission.Id));
        Assert.Equal((2.5, "Exceptionally clear write-up.", setup.ActorId, setup.Team.Id), (adjustment.Delta, adjustment.Reason, adjustment.ActorId, adjustment.TeamId));
        Assert.Equal((5.5, 5.5), ((await PointsAsync()).Points, (await PointsAsync()).ApprovedPoints));
        Assert.Equal("+2.5 points: Exceptionally clear write-up.", Assert.Single(await AuditAsync(submission.Id, AuditEvent.AwardAdjusted)).Detail);
        var notice = await ReadAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.SubmissionId == submission.Id && n.Kind == Notification.Reward));
        Assert.Contains("Exceptionally clear write-up.", notice.Body);
        Assert.Equal(revision + 1, await RevisionAsync(setup));

        Assert.True((await AdjustAsync(-10, "Copied from a public notebook.")).Ok);
        Assert.Equal(0, (await PointsAsync()).Points); // a team's points never go below zero
        Assert.Equal("-10.0 points: Copied from a public notebook.", (await AuditAsync(submission.Id, AuditEvent.AwardAdjusted))[1].Detail);
    }

    [Fact]
    public async Task Disclosure_CanBeWithheldWithAReason_Undone_AndBroughtForward()
    {
        var setup = await SetupAsync(embargoDays: 30);
        var submission = await ScoredAsync(setup);
        Task<ReviewOutcome> Run(Func<TriageService, Task<ReviewOutcome>> act) => WithTriageAsync(act);
        var (c, id, actor) = (setup.Competition.Id, submission.Id, setup.ActorId);

        Assert.Equal("Only an approved finding can be disclosed or withheld.", (await Run(t => t.DiscloseNowAsync(c, id, actor))).Message);
        Assert.True((await DecideAsync(setup, id, TriageState.Approved, "Good")).Ok);
        var approvedAt = (await SubmissionAsync(id)).TriagedAt!.Value;

        Assert.Equal("Write why the finding is withheld: it is mandatory.", (await Run(t => t.WithholdAsync(c, id, " ", actor))).Message);
        var revision = await RevisionAsync(setup);
        Assert.True((await Run(t => t.WithholdAsync(c, id, "The vendor is still patching.", actor))).Ok);
        var withheld = await SubmissionAsync(id);
        Assert.Equal("The vendor is still patching.", withheld.WithheldReason);
        Assert.False(withheld.IsDisclosed(approvedAt.AddDays(31)));
        Assert.Equal(revision + 1, await RevisionAsync(setup));
        Assert.Equal("Withheld: The vendor is still patching.", Assert.Single(await AuditAsync(id, AuditEvent.DisclosureChanged)).Detail);
        var notice = await ReadAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.SubmissionId == id && n.Kind == Notification.Disclosure));
        Assert.Contains("The vendor is still patching.", notice.Body);

        // undoing keeps the embargo promised at approval, even when the organizer has changed the setting since
        await ReadAsync(db => db.Competitions.Where(x => x.Id == c).ExecuteUpdateAsync(x => x.SetProperty(p => p.DisclosureEmbargoDays, 5)));
        Assert.True((await Run(t => t.UndoWithholdAsync(c, id, actor))).Ok);
        var undone = await SubmissionAsync(id);
        Assert.Null(undone.WithheldReason);
        Assert.Equal(approvedAt.AddDays(30), undone.DiscloseAt);
        Assert.Equal("It is not withheld.", (await Run(t => t.UndoWithholdAsync(c, id, actor))).Message);

        Assert.True((await Run(t => t.DiscloseNowAsync(c, id, actor))).Ok);
        var disclosed = await SubmissionAsync(id);
        Assert.True(disclosed.IsDisclosed(DateTimeOffset.UtcNow));
        Assert.Equal("It is already public.", (await Run(t => t.DiscloseNowAsync(c, id, actor))).Message);
        Assert.Equal(3, (await AuditAsync(id, AuditEvent.DisclosureChanged)).Count);
    }

    [Fact]
    public async Task UndoingAWithholding_AfterTheEmbargoHasPassed_DisclosesNow()
    {
        var setup = await SetupAsync(embargoDays: 0);
        var submission = await ScoredAsync(setup);
        var (c, id, actor) = (setup.Competition.Id, submission.Id, setup.ActorId);
        Assert.True((await DecideAsync(setup, id, TriageState.Approved, "Good")).Ok);
        Assert.True((await SubmissionAsync(id)).IsDisclosed(DateTimeOffset.UtcNow)); // no embargo: public at approval

        Assert.True((await WithTriageAsync(t => t.WithholdAsync(c, id, "Legal review.", actor))).Ok);
        Assert.False((await SubmissionAsync(id)).IsDisclosed(DateTimeOffset.UtcNow));
        var outcome = await WithTriageAsync(t => t.UndoWithholdAsync(c, id, actor));
        Assert.Equal("No longer withheld; disclosed now.", outcome.Message);
        Assert.True((await SubmissionAsync(id)).IsDisclosed(DateTimeOffset.UtcNow));
    }
}
