using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components;
using System.Security.Claims;
using Bunit;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Tests.Review;

/// <summary>The interactive triage queue and review page driven like a browser would (bUnit), on the real platform and database.</summary>
public sealed class ReviewInteractionTests : BunitContext, IClassFixture<PlatformFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly PlatformFactory _platform;
    private readonly string _adminId;

    public ReviewInteractionTests(PlatformFactory platform)
    {
        _platform = platform;
        (_adminId, var email) = SignedInClient.UserAsync(platform, Roles.Admin).GetAwaiter().GetResult();
        // The pages open a scope per action: give bUnit's container the platform's services on the same database.
        Services.AddDbContext<ApplicationDbContext>(o => o.UseNpgsql(platform.ConnectionString));
        Services.AddSingleton(platform.Services.GetRequiredService<IOptions<PlatformOptions>>());
        Services.AddScoped<Notifier>();
        Services.AddScoped<TriageService>();
        Services.AddScoped<ReviewQueries>();
        Services.AddSingleton(TimeProvider.System);
        AddAuthorization().SetAuthorized(email).SetRoles(Roles.Admin).SetClaims(new Claim(ClaimTypes.NameIdentifier, _adminId));
    }

    private async Task<(Competition Competition, List<Submission> Submissions)> ArrangeAsync(params string[] expressions)
    {
        await using var scope = _platform.Scope();
        var db = _platform.NewDb(scope);
        var competition = await CompetitionBuilder.New("Review").WithEmbargoDays(14).SaveAsync(db);
        var submissions = new List<Submission>();
        for (var i = 0; i < expressions.Length; i++)
        {
            var team = await ReviewArrange.TeamAsync(db, competition, $"Team {i}");
            submissions.Add(await ReviewArrange.ScoredAsync(db, competition, team, expressions[i], points: 2,
                createdAt: DateTimeOffset.UtcNow.AddMinutes(i - expressions.Length),
                record: r => i > 0 ? r with { DuplicateOf = submissions[0].Id.ToString(), Status = ScoreStatusDuplicate } : r));
        }
        return (competition, submissions);
    }

    private const BiasBounty.Scoring.Engine.ScoreStatus ScoreStatusDuplicate = BiasBounty.Scoring.Engine.ScoreStatus.Duplicate;

    private async Task<Submission> StoredAsync(Guid id)
    {
        await using var scope = _platform.Scope();
        return await _platform.NewDb(scope).Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
    }

    [Fact]
    public async Task TriageQueue_BulkDecision_ChangesTheSelected_ReportsTheSkipped_AndFollowsTheFilter()
    {
        var (competition, submissions) = await ArrangeAsync("age > 20", "age > 21", "age > 22");
        var cut = Render<TriagePage>(p => p.Add(x => x.Slug, competition.Slug));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr[data-testid=triage-row]").Count), Wait);
        Assert.Equal(2, cut.FindAll(".near-duplicate-flag").Count);

        await Checkbox(cut, submissions[1].Id).ChangeAsync(new ChangeEventArgs { Value = true });
        await Checkbox(cut, submissions[2].Id).ChangeAsync(new ChangeEventArgs { Value = true });
        await cut.Find("select[data-testid=bulk-action]").ChangeAsync(new ChangeEventArgs { Value = nameof(TriageState.NeedsMoreInfo) });
        await cut.Find("[data-testid=bulk-apply]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Equal("Write a note for the team: it is mandatory.", cut.Find("[data-testid=triage-message]").TextContent), Wait);

        await cut.Find("textarea[data-testid=bulk-note]").ChangeAsync(new ChangeEventArgs { Value = "Which rows do you mean?" });
        await cut.Find("[data-testid=bulk-apply]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Equal("2 submissions changed.", cut.Find("[data-testid=triage-message]").TextContent), Wait);
        // the default filter shows what still waits for a decision
        cut.WaitForAssertion(() => Assert.Equal([submissions[0].Id.ToString()],
            cut.FindAll("tr[data-testid=triage-row]").Select(r => r.GetAttribute("data-submission-id"))), Wait);
        Assert.Equal(TriageState.NeedsMoreInfo, (await StoredAsync(submissions[2].Id)).Triage);

        await cut.Find("select[data-testid=triage-filter]").ChangeAsync(new ChangeEventArgs { Value = nameof(TriageState.NeedsMoreInfo) });
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr[data-testid=triage-row]").Count), Wait);
        Assert.All(cut.FindAll("td.triage-state"), td => Assert.Equal("Needs more info", td.TextContent));

        await cut.Find("select[data-testid=triage-filter]").ChangeAsync(new ChangeEventArgs { Value = "All" });
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr[data-testid=triage-row]").Count), Wait);
        await cut.Find("input[data-testid=select-all]").ChangeAsync(new ChangeEventArgs { Value = true });
        await cut.Find("select[data-testid=bulk-action]").ChangeAsync(new ChangeEventArgs { Value = nameof(TriageState.NeedsMoreInfo) });
        await cut.Find("textarea[data-testid=bulk-note]").ChangeAsync(new ChangeEventArgs { Value = "Please add the rows." });
        await cut.Find("[data-testid=bulk-apply]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.StartsWith("1 submission changed; 2 skipped: ", cut.Find("[data-testid=triage-message]").TextContent), Wait);
        Assert.Contains("already Needs more info", cut.Find("[data-testid=triage-message]").TextContent);

        await cut.Find("input[data-testid=triage-expression]").ChangeAsync(new ChangeEventArgs { Value = "21" });
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr[data-testid=triage-row]")), Wait);
    }

    [Fact]
    public async Task TriageQueue_RendersAtMostItsLimit_OldestFirst_AndSelectAllTakesOnlyThoseShown()
    {
        var (competition, submissions) = await ArrangeAsync("age > 40", "age > 41", "age > 42");
        var cut = Render<TriagePage>(p => p.Add(x => x.Slug, competition.Slug).Add(x => x.MaxShown, 2));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr[data-testid=triage-row]").Count), Wait);

        Assert.Equal([submissions[0].Id.ToString(), submissions[1].Id.ToString()],
            cut.FindAll("tr[data-testid=triage-row]").Select(r => r.GetAttribute("data-submission-id")));
        Assert.Contains("The 2 oldest of 3 matching submissions", cut.Find("[data-testid=triage-truncated]").TextContent);
        await cut.Find("input[data-testid=select-all]").ChangeAsync(new ChangeEventArgs { Value = true });
        await cut.Find("select[data-testid=bulk-action]").ChangeAsync(new ChangeEventArgs { Value = nameof(TriageState.NeedsMoreInfo) });
        await cut.Find("textarea[data-testid=bulk-note]").ChangeAsync(new ChangeEventArgs { Value = "Which rows?" });
        await cut.Find("[data-testid=bulk-apply]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Equal("2 submissions changed.", cut.Find("[data-testid=triage-message]").TextContent), Wait);
        Assert.Equal(TriageState.Scored, (await StoredAsync(submissions[2].Id)).Triage); // not shown, not decided
    }

    private static AngleSharp.Dom.IElement Checkbox(IRenderedComponent<TriagePage> cut, Guid id) =>
        cut.Find($"tr[data-submission-id='{id}'] input[data-testid=select-submission]");

    [Fact]
    public async Task ReviewPage_MarksADuplicate_AdjustsTheAward_AndControlsTheDisclosure()
    {
        var (competition, submissions) = await ArrangeAsync("age > 30", "age >= 31");
        var (original, duplicate) = (submissions[0], submissions[1]);
        var cut = Render<ReviewPage>(p => p.Add(x => x.Slug, competition.Slug).Add(x => x.Id, duplicate.Id));
        cut.WaitForAssertion(() => Assert.Equal("Scored", cut.Find("[data-testid=triage-state]").TextContent), Wait);
        Assert.Equal(original.Id.ToString(), cut.Find("select[data-testid=duplicate-of]").GetAttribute("value"));
        Assert.Contains("age >= 31", cut.Find("[data-testid=near-duplicates]").TextContent);
        Assert.Contains("age > 30", cut.Find("[data-testid=near-duplicates]").TextContent);
        Assert.Contains("mask hash", cut.Find("[data-testid=internal-record]").TextContent);
        var seed = cut.FindAll("[data-testid=internal-record] tr").Single(r => r.TextContent.Contains("split seed")).QuerySelector("td")!.TextContent;
        Assert.Matches("^[0-9]+$", seed); // the seed as stored, without thousands separators
        Assert.Contains("provenance", cut.FindAll("[data-testid=internal-record] tr.record-section").Select(r => r.TextContent));

        await cut.Find("select[data-testid=triage-action]").ChangeAsync(new ChangeEventArgs { Value = nameof(TriageState.Duplicate) });
        await cut.Find("textarea[data-testid=triage-note]").ChangeAsync(new ChangeEventArgs { Value = "Same rows as the earlier finding." });
        await cut.Find("[data-testid=triage-save]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Equal("Duplicate", cut.Find("[data-testid=triage-state]").TextContent), Wait);
        Assert.Equal("Marked Duplicate; the team has been told.", cut.Find("[data-testid=review-message]").TextContent);
        Assert.Equal(original.Id, (await StoredAsync(duplicate.Id)).DuplicateOfId);

        // approve the original from its own page, then adjust and withhold it
        var page = Render<ReviewPage>(p => p.Add(x => x.Slug, competition.Slug).Add(x => x.Id, original.Id));
        page.WaitForAssertion(() => Assert.Equal("Scored", page.Find("[data-testid=triage-state]").TextContent), Wait);
        await page.Find("[data-testid=triage-save]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Equal("Write a note for the team: it is mandatory.", page.Find("[data-testid=review-message]").TextContent), Wait);
        await page.Find("textarea[data-testid=triage-note]").ChangeAsync(new ChangeEventArgs { Value = "Verified, thank you." });
        await page.Find("[data-testid=triage-save]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.StartsWith("embargoed until ", page.Find("[data-testid=disclosure-state]").TextContent), Wait);

        await page.Find("input[data-testid=adjust-points]").ChangeAsync(new ChangeEventArgs { Value = "1.5" });
        await page.Find("[data-testid=adjust-save]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Equal("Write a reason for the adjustment: it is mandatory.", page.Find("[data-testid=review-message]").TextContent), Wait);
        await page.Find("textarea[data-testid=adjust-reason]").ChangeAsync(new ChangeEventArgs { Value = "Excellent write-up." });
        await page.Find("[data-testid=adjust-save]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Equal("3.5", page.Find("[data-testid=total-points]").TextContent), Wait);
        Assert.Contains("Excellent write-up.", page.Find("[data-testid=adjustment-history]").TextContent);
        await using (var scope = _platform.Scope())
            Assert.Equal(3.5, (await TeamPoints.ForCompetitionAsync(_platform.NewDb(scope), competition.Id))[original.TeamId].ApprovedPoints);

        await page.Find("textarea[data-testid=withhold-reason]").ChangeAsync(new ChangeEventArgs { Value = "The vendor is patching." });
        await page.Find("[data-testid=withhold]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Equal("withheld: The vendor is patching.", page.Find("[data-testid=disclosure-state]").TextContent), Wait);
        await page.Find("[data-testid=disclose-now]").ClickAsync(new MouseEventArgs());
        Assert.Contains("cannot be undone", page.Find("[data-testid=disclose-confirmation]").TextContent); // asks first
        await page.Find("[data-testid=disclose-cancel]").ClickAsync(new MouseEventArgs());
        Assert.Empty(page.FindAll("[data-testid=disclose-confirmation]"));
        Assert.False((await StoredAsync(original.Id)).IsDisclosed(DateTimeOffset.UtcNow));
        await page.Find("[data-testid=disclose-now]").ClickAsync(new MouseEventArgs());
        await page.Find("[data-testid=disclose-confirm]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.StartsWith("public since ", page.Find("[data-testid=disclosure-state]").TextContent), Wait);
        Assert.True((await StoredAsync(original.Id)).IsDisclosed(DateTimeOffset.UtcNow));
    }
}
