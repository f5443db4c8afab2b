using System.Net;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Tests.Review;

/// <summary>The triage queue, review page, audit log and its CSV over HTTP: who may see them, and what they show.</summary>
public sealed class ReviewPagesTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private sealed record Organized(Competition Competition, string OrganizerEmail, string OrganizerId, Submission Original, Submission Near);

    /// <summary>A competition of a new organizer with an earlier submission and a later one the engine found nearly the same.</summary>
    private async Task<Organized> OrganizedAsync(string teamName = "Careful readers", string nearTeam = "Second look")
    {
        var (organizerId, email) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await CompetitionBuilder.New("Review").OrganizedBy(organizerId).SaveAsync(db);
        var original = await ReviewArrange.ScoredAsync(db, competition, await ReviewArrange.TeamAsync(db, competition, teamName), "age > 60",
            createdAt: DateTimeOffset.UtcNow.AddHours(-1));
        var near = await ReviewArrange.ScoredAsync(db, competition, await ReviewArrange.TeamAsync(db, competition, nearTeam), "age >= 61",
            record: r => r with { NearDuplicates = [new NearDuplicate(original.Id.ToString(), 0.97)] });
        return new Organized(competition, email, organizerId, original, near);
    }

    private async Task<HttpClient> OrganizerAsync(Organized organized)
    {
        var client = await SignedInClient.CreateAsync(platform);
        await SignedInClient.SignInAsync(client, organized.OrganizerEmail);
        return client;
    }

    private static IEnumerable<string> Paths(Organized o) =>
    [
        $"/organize/{o.Competition.Slug}/triage",
        $"/organize/{o.Competition.Slug}/submissions/{o.Near.Id}",
        $"/organize/{o.Competition.Slug}/audit",
        $"/organize/{o.Competition.Slug}/audit.csv",
    ];

    [Fact]
    public async Task EveryReviewRoute_IsForTheCompetitionsOrganizerAndAdmins_Only()
    {
        var organized = await OrganizedAsync();
        var anonymous = await SignedInClient.CreateAsync(platform);
        var participant = await SignedInClient.CreateAsync(platform, Roles.Participant);
        var otherOrganizer = await SignedInClient.CreateAsync(platform, Roles.Organizer);
        var organizer = await OrganizerAsync(organized);
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);

        foreach (var path in Paths(organized))
        {
            var challenged = await anonymous.GetAsync(path);
            Assert.True(challenged.StatusCode == HttpStatusCode.Redirect && challenged.Headers.Location!.OriginalString.Contains("/Account/Login"),
                $"anonymous {path}: {challenged.StatusCode} {challenged.Headers.Location}");

            var refused = await participant.GetAsync(path);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden
                || (refused.StatusCode == HttpStatusCode.Redirect && refused.Headers.Location!.OriginalString.Contains("/Account/AccessDenied")),
                $"participant {path}: {refused.StatusCode} {refused.Headers.Location}");

            var hidden = await otherOrganizer.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.DoesNotContain("age >= 61", await hidden.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.OK, (await organizer.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        }

        // a submission of another competition is not found under this one
        var elsewhere = await OrganizedAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/organize/{organized.Competition.Slug}/submissions/{elsewhere.Near.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/organize/no-such-competition/triage")).StatusCode);
    }

    [Fact]
    public async Task TheStoredNearDuplicateFlag_FollowsTheRecord_AndTheMigrationsBackfillFindsItInTheJson()
    {
        var organized = await OrganizedAsync("Flag original", "Flag near");
        Submission exact;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            exact = await ReviewArrange.ScoredAsync(db, organized.Competition, await ReviewArrange.TeamAsync(db, organized.Competition, "Flag exact"),
                "age > 60", record: r => r with { DuplicateOf = organized.Original.Id.ToString() });
        }
        var ids = new[] { organized.Original.Id, organized.Near.Id, exact.Id };
        async Task<Dictionary<Guid, bool>> FlagsAsync()
        {
            await using var scope = platform.Scope();
            return await platform.NewDb(scope).Scores.Where(s => ids.Contains(s.SubmissionId)).ToDictionaryAsync(s => s.SubmissionId, s => s.NearDuplicate);
        }
        var expected = new Dictionary<Guid, bool> { [organized.Original.Id] = false, [organized.Near.Id] = true, [exact.Id] = true };
        Assert.Equal(expected, await FlagsAsync());

        // rows stored before the column existed: the migration's backfill reads the flag out of the stored JSON
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            await db.Scores.Where(s => ids.Contains(s.SubmissionId)).ExecuteUpdateAsync(s => s.SetProperty(x => x.NearDuplicate, false));
            await db.Database.ExecuteSqlRawAsync(SubmissionScore.BackfillNearDuplicateSql);
        }
        Assert.Equal(expected, await FlagsAsync());
    }

    [Fact]
    public async Task TriageQueue_ListsScoredSubmissions_WithTheNearDuplicateFlag_AndALinkToTheReview()
    {
        var organized = await OrganizedAsync();
        var html = await (await OrganizerAsync(organized)).GetStringAsync($"/organize/{organized.Competition.Slug}/triage");

        Assert.Contains("data-testid=\"triage-filter\"", html);
        Assert.Contains($"data-submission-id=\"{organized.Near.Id}\"", html);
        Assert.Contains($"data-submission-id=\"{organized.Original.Id}\"", html);
        Assert.Equal(1, html.Split("near-duplicate-flag").Length - 1);
        Assert.Contains($"href=\"organize/{organized.Competition.Slug}/submissions/{organized.Near.Id}\"", html);
        Assert.Contains("Second look", html);
        Assert.Contains("data-testid=\"bulk-apply\"", html);
    }

    [Fact]
    public async Task ReviewPage_ShowsTheRecord_TheNearDuplicateSideBySide_AndTheDisclosureState()
    {
        var organized = await OrganizedAsync();
        var client = await OrganizerAsync(organized);
        var records = await client.GetStringAsync($"/organize/{organized.Competition.Slug}/submissions");
        Assert.Contains($"href=\"organize/{organized.Competition.Slug}/submissions/{organized.Near.Id}\"", records); // "all records" links here
        var html = await client.GetStringAsync($"/organize/{organized.Competition.Slug}/submissions/{organized.Near.Id}");

        Assert.Contains("data-testid=\"internal-record\"", html);
        Assert.Contains("mask hash", html);
        Assert.Contains("data-testid=\"near-duplicates\"", html);
        Assert.Contains("age &gt;= 61", html);
        Assert.Contains("age &gt; 60", html);
        Assert.Contains("0.970", html);
        Assert.Contains($"value=\"{organized.Original.Id}\" selected", html); // the engine's near duplicate is preselected
        Assert.Contains("not disclosed: only approved findings are disclosed", html);
        Assert.Contains("data-testid=\"triage-state\">Scored<", html);
    }

    [Fact]
    public async Task TheEnginesOwnDuplicate_IsFlaggedAndComparedOnTheDemoCompetition()
    {
        var first = await Arrange.DemoSubmissionAsync(platform, "First married", Arrange.MarriedGroup);
        await platform.RunScoringJobAsync(first);
        var second = await Arrange.DemoSubmissionAsync(platform, "Second married", Arrange.MarriedGroup);
        await platform.RunScoringJobAsync(second);
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);

        var queue = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/triage");
        var row = queue[queue.IndexOf($"data-submission-id=\"{second}\"", StringComparison.Ordinal)..];
        Assert.Contains("near-duplicate-flag", row[..row.IndexOf("</tr>", StringComparison.Ordinal)]);

        var review = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/submissions/{second}");
        Assert.Contains("Same group as an earlier submission", review);
        Assert.Contains($"data-earlier-id=\"{first}\"", review);
        Assert.Contains($"value=\"{first}\" selected", review);
    }

    [Fact]
    public async Task AuditLog_ShowsDecisions_AndTheCsvExport_FiltersAndDefusesFormulas()
    {
        var organized = await OrganizedAsync(teamName: "=HYPERLINK(\"http://evil\")", nearTeam: "@team, \"quoted\"");
        await using (var scope = platform.Scope())
        {
            var triage = ReviewArrange.Triage(scope);
            var outcome = await triage.DecideAsync(organized.Competition.Id, organized.Near.Id,
                new TriageDecision(TriageState.NeedsMoreInfo, "-please explain the rows"), organized.OrganizerId);
            Assert.True(outcome.Ok, outcome.Message);
        }
        var client = await OrganizerAsync(organized);
        var slug = organized.Competition.Slug;
        string actor;
        await using (var scope = platform.Scope())
            actor = (await platform.NewDb(scope).Users.SingleAsync(u => u.Id == organized.OrganizerId)).DisplayName!;

        var page = await client.GetStringAsync($"/organize/{slug}/audit");
        Assert.Contains("data-testid=\"audit-row\" data-kind=\"triage.changed\"", page);
        Assert.Contains($"href=\"organize/{slug}/audit.csv\"", page);
        Assert.Contains(actor, page); // organizers are not administrators: actors by display name, never e-mail
        Assert.Contains($">{organized.Near.Id}</code></a>", page); // the whole id, not a prefix other submissions share
        var filtered = await client.GetStringAsync($"/organize/{slug}/audit?kind=triage.changed");
        Assert.Equal(1, filtered.Split("data-testid=\"audit-row\"").Length - 1);
        Assert.Contains($"href=\"organize/{slug}/audit.csv?kind=triage.changed\"", filtered);

        var response = await client.GetAsync($"/organize/{slug}/audit.csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at,kind,actor,submission id,team,from,to,detail", lines[0]);
        // newest first: the triage decision, then the two submissions' state changes and creations
        Assert.Equal(6, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,triage\.changed,", lines[1]);
        Assert.DoesNotContain(organized.OrganizerEmail, string.Join("\n", lines)); // the page's navigation shows the viewer their own
        Assert.Contains($",{actor},{organized.Near.Id},\"'@team, \"\"quoted\"\"\",,,", lines[1]);
        Assert.EndsWith(",Scored → Needs more info: -please explain the rows", lines[1]);
        Assert.Contains(lines, l => l.Contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",Queued,Scored,"));
        Assert.Contains(lines, l => l.Contains($",submission.created,,{organized.Original.Id},\"'=HYPERLINK(\"\"http://evil\"\")\",,Queued,"));

        var onlyTriage = (await client.GetStringAsync($"/organize/{slug}/audit.csv?kind=triage.changed")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, onlyTriage.Length);
        var team = organized.Original.TeamId;
        var oneTeam = (await client.GetStringAsync($"/organize/{slug}/audit.csv?team={team}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, oneTeam.Length);
        Assert.All(oneTeam.Skip(1), l => Assert.Contains(organized.Original.Id.ToString(), l));
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd");
        Assert.Single((await client.GetStringAsync($"/organize/{slug}/audit.csv?from={tomorrow}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        Assert.Equal(6, (await client.GetStringAsync($"/organize/{slug}/audit.csv?from={today}&to={today}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task AuditLog_IsPagedNewestFirst_AndClampsThePage()
    {
        var organized = await OrganizedAsync();
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var start = DateTimeOffset.UtcNow.AddDays(-2);
        for (var i = 0; i < 60; i++)
            db.AuditEvents.Add(new AuditEvent { CompetitionId = organized.Competition.Id, Kind = AuditEvent.HoldoutRefreshed, Detail = $"refresh {i}", At = start.AddMinutes(i) });
        await db.SaveChangesAsync();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLogQuery>();
        var filter = new AuditFilter(Kind: AuditEvent.HoldoutRefreshed);

        var first = await audit.PageAsync(organized.Competition.Id, filter, 1);
        Assert.Equal((60, 2, 50), (first.Total, first.Pages, first.Rows.Count));
        Assert.Equal("refresh 59", first.Rows[0].Detail);
        var last = await audit.PageAsync(organized.Competition.Id, filter, 99);
        Assert.Equal(2, last.Page);
        Assert.Equal(("refresh 9", "refresh 0"), (last.Rows[0].Detail, last.Rows[^1].Detail));
        var day = DateOnly.FromDateTime(start.AddMinutes(30).UtcDateTime);
        Assert.All((await audit.PageAsync(organized.Competition.Id, filter with { From = day, To = day }, 1)).Rows,
            r => Assert.Equal(day, DateOnly.FromDateTime(r.At.UtcDateTime)));
        Assert.Equal(0, (await audit.PageAsync(organized.Competition.Id, filter with { SubmissionId = organized.Near.Id }, 1)).Total);
    }
}
