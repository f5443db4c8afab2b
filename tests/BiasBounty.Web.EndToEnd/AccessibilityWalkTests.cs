using System.Text;
using System.Text.Json;
using BiasBounty.Web.Deployers;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Deployers;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// Every public, participant and organizer page at a desktop (1280 px) and a phone (390 px) width: axe-core (from npm,
/// <c>node_modules/axe-core</c> of this project, installed by <c>deploy/test.sh</c> with <c>npm ci</c>) reports no
/// serious or critical violation, the phone width never scrolls sideways, and a full-page screenshot of each is kept as
/// <c>screenshots/Accessibility/&lt;page&gt;-&lt;width&gt;.png</c>. All pages are visited before failing, so one run
/// lists every problem.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityWalkTests(BrowserFixture fixture)
{
    private static readonly int[] Widths = [1280, 390];

    [Fact]
    public async Task PublicPages_AtDesktopAndPhoneWidth_HaveNoSeriousAxeViolationAndNoSidewaysScroll()
    {
        var competition = await WalkArrange.CompetitionAsync(fixture.Platform, "Public a11y");
        var team = await WalkArrange.TeamAsync(fixture.Platform, competition.Id, "Public a11y " + WalkPages.Unique());
        await WalkArrange.ScoredAsync(fixture.Platform, team, "age >= 60");
        await using (var scope = fixture.Platform.Scope())
        {
            var organizerId = await fixture.Platform.NewDb(scope).Users.Where(u => u.Email == competition.OrganizerEmail).Select(u => u.Id).SingleAsync();
            var cards = scope.ServiceProvider.GetRequiredService<BiasBounty.Web.ServiceCards.ServiceCardProduction>();
            Assert.True((await cards.ProduceAsync(competition.Id, 0, organizerId)).Done);
            Assert.True((await cards.PublishAsync(competition.Id, 0, true, organizerId)).Done);
        }
        await using var session = await fixture.SessionAsync("Accessibility-public");
        var problems = new List<string>();
        await session.RunAsync(async page =>
        {
            await CheckAsync(session, "home", "", problems);
            await CheckAsync(session, "competition", $"competitions/{competition.Slug}", problems);
            await CheckAsync(session, "leaderboard", $"competitions/{competition.Slug}/leaderboard", problems);
            await CheckAsync(session, "service-card", $"competitions/{competition.Slug}/service-card/0", problems);
            await CheckAsync(session, "login", "Account/Login", problems);
            await CheckAsync(session, "register", "Account/Register", problems);
            await CheckAsync(session, "forgot-password", "Account/ForgotPassword", problems);
            await CheckAsync(session, "scoring-rules", "rules/scoring", problems);
            await CheckAsync(session, "api-reference", "developers/api", problems);
            await CheckAsync(session, "not-found", "no-such-page", problems, expectOk: false);
        });
        Assert.True(problems.Count == 0, Report(problems));
    }

    [Fact]
    public async Task ParticipantAndOrganizerPages_AtDesktopAndPhoneWidth_HaveNoSeriousAxeViolationAndNoSidewaysScroll()
    {
        var platform = fixture.Platform;
        var competition = await WalkArrange.CompetitionAsync(platform, "Signed-in a11y");
        // the organizer is a participant too: a team of its own with one scored submission
        Guid teamId;
        string userId;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var user = await db.Users.SingleAsync(u => u.Email == competition.OrganizerEmail);
            userId = user.Id;
            teamId = (await Arrange.TeamOfAsync(db, competition.Id, user, "Accessible " + WalkPages.Unique())).Id;
        }
        var submission = await WalkArrange.ScoredAsync(platform, new WalkTeam(teamId, "Accessible", userId), "age >= 60");
        var slug = competition.Slug;
        var replay = await ReplayAsync(platform, competition, userId);
        var (speechSlug, speechReplay) = await EvaluationTableReplayAsync(platform, competition.OrganizerEmail, userId);

        await using var session = await fixture.SessionAsync("Accessibility-signed-in");
        var problems = new List<string>();
        await session.RunAsync(async page =>
        {
            await AccountPages.LogInAsync(session, competition.OrganizerEmail);
            await CheckAsync(session, "teams", "teams", problems);
            await CheckAsync(session, "team-page", $"teams/{teamId}", problems);
            await CheckAsync(session, "submit", $"competitions/{slug}/submit", problems);
            await CheckAsync(session, "submission-status", $"submissions/{submission}", problems);
            await CheckAsync(session, "my-submissions", "submissions", problems);
            await CheckAsync(session, "notifications", "notifications", problems);
            await CheckAsync(session, "account-manage", "Account/Manage", problems);
            await CheckAsync(session, "account-password", "Account/Manage/ChangePassword", problems);
            await CheckAsync(session, "tokens", "account/tokens", problems);
            await CheckAsync(session, "organize", "organize", problems);
            await CheckAsync(session, "wizard", "organize/new", problems);
            await CheckAsync(session, "triage", $"organize/{slug}/triage", problems);
            await CheckAsync(session, "review", $"organize/{slug}/submissions/{submission}", problems);
            await CheckAsync(session, "records", $"organize/{slug}/submissions", problems);
            await CheckAsync(session, "audit", $"organize/{slug}/audit", problems);
            await CheckAsync(session, "holdout", $"organize/{slug}/holdout", problems);
            await CheckAsync(session, "settings", $"organize/{slug}/settings", problems);
            await CheckAsync(session, "payouts", $"organize/{slug}/payouts", problems);
            await CheckAsync(session, "ledger", $"organize/{slug}/ledger", problems);
            await CheckAsync(session, "service-cards", $"organize/{slug}/service-cards", problems);
            await CheckAsync(session, "deployers", $"organize/{slug}/deployers", problems);
            await CheckAsync(session, "deploy", "deploy", problems);
            await CheckAsync(session, "deploy-uploads", $"deploy/{slug}", problems);
            await CheckAsync(session, "replay-report", $"deploy/replays/{replay}", problems);
            await CheckAsync(session, "deploy-uploads-evaluation-table", $"deploy/{speechSlug}", problems);
            await CheckAsync(session, "replay-report-evaluation-table", $"deploy/replays/{speechReplay}", problems);
        });
        Assert.True(problems.Count == 0, Report(problems));
    }

    /// <summary>The organizer invited as a deployer of their own competition, with an upload replayed by the platform's worker.</summary>
    private static async Task<Guid> ReplayAsync(KestrelPlatform platform, WalkCompetition competition, string userId) =>
        await ReplayAsync(platform, competition.Id, competition.OrganizerEmail, userId, ["race", "sex"], "ours.csv",
            await DeployerArrange.PlantedCsvAsync(platform, competition.Id, 1_500));

    /// <summary>The same on a copy of the speech demo (an evaluation table): the deployer's own table replayed. Its slug and the replay.</summary>
    private static async Task<(string Slug, Guid Replay)> EvaluationTableReplayAsync(KestrelPlatform platform, string email, string userId)
    {
        Competitions.Competition competition;
        await using (var scope = platform.Scope())
            competition = await CompetitionBuilder.New("Speech a11y " + WalkPages.Unique()).OrganizedBy(userId)
                .Between(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60)).SaveWithSpeechDemoDataAsync(scope);
        var replay = await ReplayAsync(platform, competition.Id, email, userId, ["speaker_gender", "noise"], "our-recordings.csv",
            await DeployerArrange.PlantedSpeechCsvAsync(platform, competition));
        return (competition.Slug, replay);
    }

    private static async Task<Guid> ReplayAsync(KestrelPlatform platform, Guid competitionId, string email, string userId, string[] protectedColumns, string fileName, byte[] content)
    {
        Guid uploadId;
        await using (var scope = platform.Scope())
        {
            var invitations = scope.ServiceProvider.GetRequiredService<DeployerInvitations>();
            Assert.Null(await invitations.SaveProtectedColumnsAsync(competitionId, protectedColumns, protectedColumns, userId));
            Assert.Null(await invitations.InviteAsync(competitionId, email, userId));
            var uploads = scope.ServiceProvider.GetRequiredService<DeployerUploads>();
            var (id, problem) = await uploads.AddAsync(competitionId, userId, fileName, content);
            uploadId = id ?? throw new InvalidOperationException(problem);
            Assert.Null(await uploads.StartReplayAsync(uploadId, userId));
        }
        for (var tries = 0; tries < 600; tries++)
        {
            await using var scope = platform.Scope();
            var run = await platform.NewDb(scope).ReplayRuns.AsNoTracking().SingleAsync(r => r.UploadId == uploadId);
            if (run.State == ReplayState.Done) return run.Id;
            Assert.NotEqual(ReplayState.Failed, run.State);
            await Task.Delay(250);
        }
        throw new TimeoutException("the replay did not finish");
    }

    /// <summary>Opens the page (waiting for its circuit when interactive), then at each width: axe, sideways scroll,
    /// screenshot. Problems are collected, not thrown, so that one run reports every page.</summary>
    private static async Task CheckAsync(BrowserSession session, string name, string url, List<string> problems, bool expectOk = true)
    {
        var page = session.Page;
        await page.SetViewportSizeAsync(Widths[0], 900);
        var mark = BrowserSession.Mark();
        var response = await page.GotoAsync(url);
        if (expectOk && response is not { Ok: true })
        {
            problems.Add($"{name} (/{url}): answered {response?.Status}");
            return;
        }
        if (response is not null && (await response.TextAsync()).Contains("Blazor:{\"type\":\"server\"", StringComparison.Ordinal))
            await session.InteractiveAsync(mark);

        var title = await page.TitleAsync();
        if (!title.Contains("BiasBounty", StringComparison.Ordinal) || title.Trim() == "BiasBounty" && name != "home")
            problems.Add($"{name} (/{url}): the title \"{title}\" does not name the page and the site");

        foreach (var width in Widths)
        {
            await page.SetViewportSizeAsync(width, width > 600 ? 900 : 844);
            await page.WaitForTimeoutAsync(150); // let the layout settle after the resize
            foreach (var violation in await AxeAsync(page))
                problems.Add($"{name} at {width} px (/{url}): {violation}");
            var overflow = await page.EvaluateAsync<int[]>(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            if (overflow[0] > overflow[1] + 1)
                problems.Add($"{name} at {width} px (/{url}): scrolls sideways, {overflow[0]} px wide in a {overflow[1]} px viewport" +
                    $" (widest: {await WidestAsync(page)})");
            var folder = Path.Combine(Screenshots.Folder, "Accessibility");
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}-{width}.png"), FullPage = true });
        }
    }

    /// <summary>axe-core's serious and critical violations on the current document, one line each.</summary>
    internal static async Task<List<string>> AxeAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxePath.Value });
        var result = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { resultTypes: ['violations'] });
              return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                             targets: v.nodes.slice(0, 6).map(n => n.target.join(' ')), count: v.nodes.length }));
            }
            """);
        return result.EnumerateArray().Select(v =>
            $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}, {v.GetProperty("count").GetInt32()} nodes): " +
            $"{v.GetProperty("help").GetString()} — {string.Join(" | ", v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()))}").ToList();
    }

    /// <summary>The elements sticking out furthest to the right, to name the culprit of a sideways scroll.</summary>
    internal static Task<string> WidestAsync(IPage page) => page.EvaluateAsync<string>("""
        () => {
          const w = document.documentElement.clientWidth;
          return [...document.querySelectorAll('body *')]
            .map(e => ({ e, r: e.getBoundingClientRect().right }))
            .filter(x => x.r > w + 1)
            .sort((a, b) => b.r - a.r).slice(0, 3)
            .map(x => x.e.tagName.toLowerCase() + (x.e.id ? '#' + x.e.id : '') + (x.e.className && typeof x.e.className === 'string' ? '.' + x.e.className.trim().split(/\s+/).join('.') : '') + ' ' + Math.round(x.r) + 'px')
            .join(', ');
        }
        """);

    private static readonly Lazy<string> AxePath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "BiasBounty.Web.EndToEnd", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "BiasBounty.sln"))) break;
        }
        throw new FileNotFoundException(
            "axe-core is not installed: run `npm ci` in tests/BiasBounty.Web.EndToEnd (deploy/test.sh does)");
    });

    private static string Report(List<string> problems)
    {
        var text = new StringBuilder($"{problems.Count} accessibility or layout problem(s):\n");
        foreach (var p in problems) text.Append("- ").Append(p).Append('\n');
        return text.ToString();
    }
}
