using System.Net;
using System.Text;
using BiasBounty.Web.Accounts;
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

namespace BiasBounty.Web.Tests.Rewards;

/// <summary>Closing a competition against the real database: the split, the ledger's states, its CSV, and the refusals.</summary>
public sealed class CompetitionClosingTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task<CloseOutcome> CloseAsync(Guid competitionId, string actorId)
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<CompetitionClosing>().CloseAsync(competitionId, actorId);
    }

    private async Task<string?> MoveAsync(Guid competitionId, Guid payoutId, PayoutState next, string actorId)
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<PayoutLedger>().MoveAsync(competitionId, payoutId, next, actorId);
    }

    /// <summary>Alpha: 30 approved + 10 adjusted = 40; Beta: 20 approved (and 50 only scored); Gamma: 100 scored and 7 needing more info.</summary>
    private async Task<(Competition Competition, string OrganizerId, Dictionary<string, string> UserOfTeam)> ArrangeAsync(decimal pool)
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await RewardsArrange.Competition(organizerId, pool).SaveAsync(db);
        var users = new Dictionary<string, string>();
        async Task<(ApplicationUser, Team)> TeamAsync(string name)
        {
            var (user, team) = await Arrange.TeamAsync(db, competition.Id, name);
            users[name] = user.Id;
            return (user, team);
        }
        var (alphaUser, alpha) = await TeamAsync("Alpha");
        var adjusted = await RewardsArrange.ScoredAsync(db, competition, alphaUser, alpha, 30, TriageState.Approved);
        await RewardsArrange.AdjustAsync(db, adjusted, 10, organizerId);
        var (betaUser, beta) = await TeamAsync("Beta");
        await RewardsArrange.ScoredAsync(db, competition, betaUser, beta, 20, TriageState.Approved);
        await RewardsArrange.ScoredAsync(db, competition, betaUser, beta, 50, TriageState.Scored);
        var (gammaUser, gamma) = await TeamAsync("Gamma");
        await RewardsArrange.ScoredAsync(db, competition, gammaUser, gamma, 100, TriageState.Scored);
        await RewardsArrange.ScoredAsync(db, competition, gammaUser, gamma, 7, TriageState.NeedsMoreInfo);
        return (competition, organizerId, users);
    }

    [Fact]
    public async Task Close_SplitsThePoolByApprovedPoints_ToTheCent_WithPendingPayouts_NoticesAuditAndRevision()
    {
        var (competition, organizerId, users) = await ArrangeAsync(1000m);

        var outcome = await CloseAsync(competition.Id, organizerId);

        Assert.True(outcome.Closed, outcome.Message);
        Assert.Contains("Alpha 666.67 EUR, Beta 333.33 EUR", outcome.Message);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var closed = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == competition.Id);
        Assert.Equal(CompetitionStatus.Closed, closed.Status);
        Assert.NotNull(closed.ClosedAt);
        Assert.Equal(competition.Revision + 1, closed.Revision);

        var lines = await scope.ServiceProvider.GetRequiredService<PayoutLedger>().LinesAsync(competition.Id);
        Assert.Equal([("Alpha", 40.0, 666.67m, PayoutState.Pending), ("Beta", 20.0, 333.33m, PayoutState.Pending)],
            lines.Select(l => (l.Team, l.Points, l.Amount, l.State)));
        Assert.Equal(1000m, lines.Sum(l => l.Amount));

        var audit = await db.AuditEvents.SingleAsync(a => a.CompetitionId == competition.Id && a.Kind == AuditEvent.CompetitionClosed);
        Assert.Equal(organizerId, audit.ActorId);
        Assert.Contains("split among 2 teams", audit.Detail);

        var rewards = await db.Notifications.Where(n => n.CompetitionId == competition.Id && n.Kind == Notification.Reward).ToListAsync();
        Assert.Equal(new[] { users["Alpha"], users["Beta"] }.Order(), rewards.Select(n => n.UserId).Order());
        Assert.Contains("666.67 EUR", rewards.Single(n => n.UserId == users["Alpha"]).Body);
        Assert.Equal(2, await db.Outbox.CountAsync(m => m.Subject.Contains(competition.Name)));

        // Closing twice is refused and changes nothing.
        var again = await CloseAsync(competition.Id, organizerId);
        Assert.False(again.Closed);
        Assert.Contains("already closed", again.Message);
        Assert.Equal(2, await db.Payouts.CountAsync(p => p.CompetitionId == competition.Id));
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.CompetitionId == competition.Id && a.Kind == AuditEvent.CompetitionClosed));
    }

    [Fact]
    public async Task Close_WithoutApprovedPoints_WritesNoPayouts_AndSaysSo()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition competition;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            competition = await RewardsArrange.Competition(organizerId, 500m).SaveAsync(db);
            var (user, team) = await Arrange.TeamAsync(db, competition.Id, "Unapproved");
            await RewardsArrange.ScoredAsync(db, competition, user, team, 80, TriageState.Scored);
        }

        var outcome = await CloseAsync(competition.Id, organizerId);

        Assert.True(outcome.Closed);
        Assert.Contains("No team had approved points", outcome.Message);
        await using var check = platform.Scope();
        Assert.False(await platform.NewDb(check).Payouts.AnyAsync(p => p.CompetitionId == competition.Id));
        Assert.False(await platform.NewDb(check).Notifications.AnyAsync(n => n.CompetitionId == competition.Id && n.Kind == Notification.Reward));
    }

    [Fact]
    public async Task Payouts_MoveOnlyForward_OneStepAtATime_WithAuditAndANoticeEachStep()
    {
        var (competition, organizerId, users) = await ArrangeAsync(1000m);
        Assert.True((await CloseAsync(competition.Id, organizerId)).Closed);
        Guid payoutId;
        await using (var scope = platform.Scope())
            payoutId = (await scope.ServiceProvider.GetRequiredService<PayoutLedger>().LinesAsync(competition.Id)).Single(l => l.Team == "Alpha").PayoutId;

        Assert.Contains("only move forward", await MoveAsync(competition.Id, payoutId, PayoutState.Paid, organizerId));
        Assert.Null(await MoveAsync(competition.Id, payoutId, PayoutState.Approved, organizerId));
        Assert.Contains("only move forward", await MoveAsync(competition.Id, payoutId, PayoutState.Approved, organizerId));
        Assert.Contains("only move forward", await MoveAsync(competition.Id, payoutId, PayoutState.Pending, organizerId));
        Assert.Null(await MoveAsync(competition.Id, payoutId, PayoutState.Paid, organizerId));
        Assert.Contains("only move forward", await MoveAsync(competition.Id, payoutId, PayoutState.Approved, organizerId));
        Assert.Equal("There is no such payout in this competition.", await MoveAsync(Guid.NewGuid(), payoutId, PayoutState.Paid, organizerId));

        await using var check = platform.Scope();
        var db = platform.NewDb(check);
        Assert.Equal(PayoutState.Paid, (await db.Payouts.SingleAsync(p => p.Id == payoutId)).State);
        var audit = await db.AuditEvents.Where(a => a.CompetitionId == competition.Id && a.Kind == AuditEvent.PayoutChanged).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["Payout of 666.67 EUR to Alpha: Pending → Approved.", "Payout of 666.67 EUR to Alpha: Approved → Paid."], audit.Select(a => a.Detail));
        Assert.All(audit, a => Assert.Equal(organizerId, a.ActorId));
        var notices = await db.Notifications.Where(n => n.UserId == users["Alpha"] && n.Kind == Notification.Reward).OrderBy(n => n.CreatedAt).Select(n => n.Title).ToListAsync();
        Assert.Equal(3, notices.Count); // the close, the approval, the payment
        Assert.Contains("has been paid", notices[2]);
    }

    [Fact]
    public async Task Csv_ListsTheLedger_AndEscapesCellsASpreadsheetWouldRun()
    {
        var (competition, organizerId, _) = await ArrangeAsync(90m);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var (user, team) = await Arrange.TeamAsync(db, competition.Id, "=HYPERLINK(\"http://evil\")");
            await RewardsArrange.ScoredAsync(db, competition, user, team, 30, TriageState.Approved);
        }
        Assert.True((await CloseAsync(competition.Id, organizerId)).Closed);

        await using var check = platform.Scope();
        var lines = await check.ServiceProvider.GetRequiredService<PayoutLedger>().LinesAsync(competition.Id);
        var csv = Encoding.UTF8.GetString(PayoutLedger.ToCsv(lines)).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

        Assert.Equal("team,approved_points,amount,currency,state,updated_at", csv[0]);
        Assert.Equal(4, csv.Length);
        // 90 by 40 : 20 : 30
        Assert.StartsWith("Alpha,40.0,40.00,EUR,Pending,", csv[1]);
        Assert.StartsWith("\"'=HYPERLINK(\"\"http://evil\"\")\",30.0,30.00,EUR,Pending,", csv[2]);
        Assert.StartsWith("Beta,20.0,20.00,EUR,Pending,", csv[3]);
    }

    [Fact]
    public async Task Submit_IsRefused_OnceClosed_WithAFriendlyMessage_AndTheSubmitPageSaysSo()
    {
        var (competition, organizerId, _) = await ArrangeAsync(100m);
        Assert.True((await CloseAsync(competition.Id, organizerId)).Closed);
        var (participantId, email) = await SignedInClient.UserAsync(platform, Roles.Participant);

        await using (var scope = platform.Scope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
                .SubmitAsync(new SubmitRequest(competition.Slug, participantId, "age >= 60", null, null));
            Assert.False(result.Succeeded);
            Assert.Equal(SubmitEntry.ClosedMessage, result.Errors[SubmitEntry.Fields.Competition]);
            Assert.False(await platform.NewDb(scope).Submissions.AnyAsync(s => s.UserId == participantId));
        }

        var client = platform.CreateClient(new() { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        var html = await client.GetStringAsync($"/competitions/{competition.Slug}/submit");
        Assert.Contains("data-testid=\"competition-closed\"", html);
        Assert.DoesNotContain("data-testid=\"submit\"", html);
    }

    [Fact]
    public async Task PayoutsPage_ShowsTheCloseButton_WhileOpen_AndTheLedgerOnceClosed()
    {
        var (competition, organizerId, _) = await ArrangeAsync(1000m);
        var organizer = await OrganizerClientAsync(organizerId);

        var open = await organizer.GetStringAsync($"/organize/{competition.Slug}/payouts");
        Assert.Contains("data-testid=\"close-competition\"", open);
        Assert.DoesNotContain("data-testid=\"payout-ledger\"", open);

        Assert.True((await CloseAsync(competition.Id, organizerId)).Closed);
        var closed = await organizer.GetStringAsync($"/organize/{competition.Slug}/payouts");
        Assert.Contains("data-testid=\"closed-banner\"", closed);
        Assert.Contains("data-testid=\"payout-ledger\"", closed);
        Assert.Contains("data-team=\"Alpha\"", closed);
        Assert.Contains("666.67 EUR", closed);
        Assert.DoesNotContain("data-testid=\"close-competition\"", closed);

        var csv = await organizer.GetAsync($"/organize/{competition.Slug}/payouts.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Alpha,40.0,666.67,EUR,Pending", await csv.Content.ReadAsStringAsync());
    }

    private async Task<HttpClient> OrganizerClientAsync(string organizerId)
    {
        string email;
        await using (var scope = platform.Scope())
            email = await platform.NewDb(scope).Users.Where(u => u.Id == organizerId).Select(u => u.Email!).SingleAsync();
        var client = platform.CreateClient(new() { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        return client;
    }

    public static TheoryData<string> Routes => ["payouts", "payouts.csv", "holdout", "settings"];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task OrganizerRoutes_AreForTheCompetitionsOrganizerAndAdmins_Only(string route)
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition competition;
        await using (var scope = platform.Scope())
            competition = await RewardsArrange.Competition(organizerId, 10m).SaveAsync(platform.NewDb(scope));
        var path = $"/organize/{competition.Slug}/{route}";

        var anonymous = await (await SignedInClient.CreateAsync(platform)).GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString);

        var participant = await (await SignedInClient.CreateAsync(platform, Roles.Participant)).GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, participant.StatusCode);
        Assert.Contains("/Account/AccessDenied", participant.Headers.Location!.OriginalString);

        var otherOrganizer = await (await SignedInClient.CreateAsync(platform, Roles.Organizer)).GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, otherOrganizer.StatusCode);

        var organizer = await (await OrganizerClientAsync(organizerId)).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, organizer.StatusCode);

        var admin = await (await SignedInClient.CreateAsync(platform, Roles.Admin)).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }
}
