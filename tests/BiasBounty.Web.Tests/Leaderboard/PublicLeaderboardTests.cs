using System.Net;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Tests.Leaderboard;

/// <summary>The public leaderboard of the (open) demo competition, against the real database: every number, and what must never show.</summary>
public sealed class PublicLeaderboardTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private const string Page = $"/competitions/{DemoSeeder.Slug}/leaderboard";

    /// <summary>Names and numbers unique to one test: the demo competition is shared by the tests of this class.</summary>
    private static readonly int Seed = Random.Shared.Next(1_000, 9_000);

    private async Task<T> ArrangeAsync<T>(Func<LeaderboardArrange, Task<T>> arrange)
    {
        await using var scope = platform.Scope();
        var on = await LeaderboardArrange.DemoAsync(platform.NewDb(scope));
        var result = await arrange(on);
        await on.BumpAsync();
        return result;
    }

    /// <summary>The page as rendered now: a query string of its own misses the output cache, which may lag the database by a poll.</summary>
    private async Task<AngleSharp.Dom.IDocument> PageAsync(string query = "") =>
        Html.Parse(await platform.CreateClient().GetStringAsync(Page + (query == "" ? "?" : query + "&") + "fresh=" + Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task Standings_CountAdjustedPoints_FixesFindings_AndFirstFoundCredit_WithoutForfeitedSubmissions()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-5);
        var (alpha, bravo, charlie) = ($"Alpha {Seed}", $"Bravo {Seed}", $"Charlie {Seed}");
        await ArrangeAsync(async on =>
        {
            var a = await on.TeamAsync(alpha);
            var b = await on.TeamAsync(bravo);
            var c = await on.TeamAsync(charlie);
            string Mask(int n) => $"mask-{Seed}-{n}";
            var first = await on.ScoredAsync(a, "age > 61", points: 10, mask: Mask(1), at: t0);
            await on.ScoredAsync(a, "age > 62", fix: true, points: 30, mask: Mask(2), at: t0.AddMinutes(1));
            await on.ScoredAsync(a, "age > 63", points: 20, mask: Mask(3), at: t0.AddMinutes(2), triage: TriageState.Disqualified);
            await on.ScoredAsync(b, "age > 64", points: 10, mask: Mask(1), at: t0.AddMinutes(5)); // the same group, later: no credit
            await on.ScoredAsync(b, "age > 65", points: 9, mask: Mask(4), at: t0.AddMinutes(-10), triage: TriageState.Duplicate); // earlier, but a duplicate
            await on.ScoredAsync(b, "age > 66", points: 7, mask: Mask(3), at: t0.AddMinutes(30)); // alpha's was disqualified: bravo found it first
            await on.ScoredAsync(c, "age > 67", points: 4, mask: Mask(4), at: t0.AddMinutes(20));
            await on.ScoredAsync(c, "age > 68", verified: false, mask: Mask(5), at: t0.AddMinutes(21));
            await on.ScoredAsync(c, "age > 69", verified: false, mask: Mask(6), at: t0.AddMinutes(22), status: ScoreStatus.Refused);
            return 0;
        });
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var submission = await db.Submissions.SingleAsync(s => s.Expression == "age > 61" && s.TeamId == db.Teams.Single(t => t.Name == alpha).Id);
            db.AwardAdjustments.Add(new AwardAdjustment
            {
                CompetitionId = submission.CompetitionId, SubmissionId = submission.Id, TeamId = submission.TeamId, Delta = 2.5,
                Reason = "clearer write-up", ActorId = (await db.Competitions.SingleAsync(c => c.Id == submission.CompetitionId)).OrganizerId!,
            });
            await db.SaveChangesAsync();
            await PublicRevision.BumpAsync(db, submission.CompetitionId);
        }

        var page = await PageAsync();

        string[] Cells(string team) => page.Row("standings", team).QuerySelectorAll("td").Skip(1).Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal([alpha, "42.5", "1", "2", "2"], Cells(alpha));
        Assert.Equal([bravo, "17.0", "0", "2", "1"], Cells(bravo));
        Assert.Equal([charlie, "4.0", "0", "1", "1"], Cells(charlie));
        Assert.Equal("1", page.Row("standings", alpha).QuerySelector("td.fixes")!.TextContent); // the 4th cell, which the e2e test reads
        Assert.Same(page.Row("standings", alpha).Children[3], page.Row("standings", alpha).QuerySelector("td.fixes"));
        Assert.Empty(page.QuerySelectorAll("td.reward")); // open competition: no rewards yet
        var ranks = page.QuerySelectorAll("[data-testid='standings'] tbody tr").Select(tr => tr.GetAttribute("data-team")).ToList();
        Assert.True(ranks.IndexOf(alpha) < ranks.IndexOf(bravo) && ranks.IndexOf(bravo) < ranks.IndexOf(charlie));
    }

    [Fact]
    public async Task HeatMap_CountsEachTeamsScoredSubmissionsPerColumn_AndTheAcceptedShare()
    {
        var team = $"Heat {Seed}";
        await ArrangeAsync(async on =>
        {
            var t = await on.TeamAsync(team);
            await on.ScoredAsync(t, $"age > {Seed % 90}");
            await on.ScoredAsync(t, $"age > {Seed % 90} and sex == \"Male\"", fix: true, points: 12);
            await on.ScoredAsync(t, $"capital-gain > {Seed}", verified: false);
            await on.ScoredAsync(t, "hours-per-week > 99", verified: false, status: ScoreStatus.Refused); // refused: not scored
            return 0;
        });

        var page = await PageAsync();

        var row = page.Row("heatmap-table", team);
        Assert.Equal("2", row.Cell("td[data-feature='age']"));
        Assert.Equal("1", row.Cell("td[data-feature='sex']"));
        Assert.Equal("1", row.Cell("td[data-feature='capital-gain']"));
        Assert.Equal("0", row.QuerySelector("td[data-feature='hours-per-week']")?.TextContent ?? "0");
        Assert.Equal("33.3 %", row.Cell("td.accepted-share"));
        var svgRow = page.QuerySelector($"[data-testid='heatmap'] g.heatmap-row[data-team='{team}']")!;
        string Fill(string feature) => svgRow.QuerySelector($"rect[data-feature='{feature}']")!.GetAttribute("fill")!;
        Assert.NotEqual(Fill("age"), Fill("sex")); // more submissions: a different (darker) shade
        Assert.Equal("#f4f6f8", svgRow.QuerySelector("rect[data-feature='hours-per-week']")?.GetAttribute("fill") ?? "#f4f6f8"); // none: the lightest
    }

    [Fact]
    public async Task DisclosedFindings_ShowOnlyDisclosedOnes_AndNothingOfAnUndisclosedFindingAppearsAnywhere()
    {
        var now = DateTimeOffset.UtcNow;
        var finder = $"Finder {Seed}";
        var disclosed = $"education-num == 3 and capital-gain == {Seed}1";
        var embargoed = $"education-num == 4 and capital-gain == {Seed}2";
        var withheld = $"education-num == 5 and capital-gain == {Seed}3";
        var notApproved = $"education-num == 6 and capital-gain == {Seed}4";
        var embargoedFix = $"education-num == 7 and capital-gain == {Seed}5";
        await ArrangeAsync(async on =>
        {
            var t = await on.TeamAsync(finder);
            await on.VersionAsync(await on.ScoredAsync(t, disclosed, fix: true, points: 5, triage: TriageState.Approved, discloseAt: now.AddDays(-1)), 0.151);
            await on.ScoredAsync(t, embargoed, points: 5, triage: TriageState.Approved, discloseAt: now.AddDays(29));
            await on.ScoredAsync(t, withheld, points: 5, triage: TriageState.Approved, discloseAt: now.AddDays(-1), withheld: "exploit");
            await on.ScoredAsync(t, notApproved, points: 5);
            await on.VersionAsync(await on.ScoredAsync(t, embargoedFix, fix: true, points: 5, triage: TriageState.Approved, discloseAt: now.AddDays(29)), 0.150);
            return 0;
        });

        var page = await PageAsync();
        var html = page.DocumentElement.OuterHtml;

        var article = Assert.Single(page.QuerySelectorAll("[data-testid='disclosed-finding']"), a => a.QuerySelector("code.expression")!.TextContent == disclosed);
        Assert.Equal(finder, article.Cell(".finder"));
        Assert.Equal("100–999 rows", article.Cell(".size-band"));
        Assert.StartsWith("30.0 %", article.Cell(".error-before"));
        Assert.StartsWith("24.0 %", article.Cell(".error-after"));
        foreach (var secret in new[] { embargoed, withheld, notApproved })
            Assert.DoesNotContain(secret.Split(" and ")[1], html); // not in a finding, the chart, its table, the options, anywhere
        // an accepted fix's group is a node of the published model (downloadable by anyone), so the chart names it at
        // once; its finding's numbers wait for the disclosure date like any other finding
        Assert.DoesNotContain(page.QuerySelectorAll("[data-testid='disclosed-finding'] code.expression"), c => c.TextContent == embargoedFix);
        var versions = page.QuerySelectorAll("[data-testid='improvement-table'] tbody tr").TakeLast(2).ToArray();
        Assert.All(versions, v => Assert.Equal(finder, v.Cell("td.team")));
        Assert.Equal([disclosed, embargoedFix], versions.Select(v => v.Cell("td.group code")));
        Assert.Contains(page.QuerySelectorAll("[data-testid='improvement-chart'] g.annotation text"), t => t.TextContent.StartsWith(finder, StringComparison.Ordinal));
        Assert.Equal(page.QuerySelectorAll("[data-testid='improvement-table'] tbody tr").Length, page.QuerySelectorAll("[data-testid='improvement-chart'] circle").Length);
    }

    [Fact]
    public async Task DisclosedFindings_AreSearchedByExpressionOrTeam_AndFilteredByColumn_ThroughTheQueryString()
    {
        var now = DateTimeOffset.UtcNow;
        var team = $"Searcher {Seed}";
        var expression = $"race == \"Other\" and fnlwgt > {Seed}7";
        var hidden = $"race == \"Other\" and fnlwgt > {Seed}8";
        await ArrangeAsync(async on =>
        {
            var t = await on.TeamAsync(team);
            await on.ScoredAsync(t, expression, triage: TriageState.Approved, discloseAt: now.AddMinutes(-1), points: 3);
            await on.ScoredAsync(t, hidden, triage: TriageState.Approved, discloseAt: now.AddDays(1), points: 3);
            return 0;
        });

        async Task<string[]> FoundAsync(string query) => (await PageAsync(query)).QuerySelectorAll("[data-testid='disclosed-finding'] code.expression").Select(c => c.TextContent).ToArray();

        Assert.Equal([expression], await FoundAsync($"?q={Seed}7"));
        Assert.Equal([expression], await FoundAsync($"?q={Seed}7&page=abc")); // a malformed page is the first, not an error
        Assert.Contains(expression, await FoundAsync("?q=" + Uri.EscapeDataString(team.ToUpperInvariant())));
        Assert.Contains(expression, await FoundAsync("?feature=fnlwgt"));
        Assert.Empty(await FoundAsync($"?q={Seed}8")); // the embargoed one is not searchable either
        var none = await PageAsync($"?q={Seed}7&feature=age");
        Assert.NotNull(none.QuerySelector("[data-testid='no-disclosed-findings']"));
        var options = none.QuerySelectorAll("[data-testid='findings-feature'] option").Select(o => o.GetAttribute("value")).ToArray();
        Assert.Contains("fnlwgt", options);
        Assert.Equal($"{Seed}7", none.QuerySelector("[data-testid='findings-search']")!.GetAttribute("value"));
    }

    private static async Task<HttpResponseMessage> UntilAsync(Func<Task<HttpResponseMessage>> get, Func<HttpResponseMessage, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await get();
            if (done(response)) return response;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the condition was not met within 15 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AnonymousPages_AreServedFromTheOutputCache_UntilTheRevisionMoves_SignedInUsersNever()
    {
        var anonymous = platform.CreateClient();
        var first = await anonymous.GetAsync(Page + "?cache=1");
        Assert.False(first.Headers.Contains("Set-Cookie")); // a shared response hands out no cookie
        // a repeat is a hit (Age header); retried because a previous test's bump may move the version in between
        var cached = await UntilAsync(() => anonymous.GetAsync(Page + "?cache=1"), r => r.Headers.Age is not null);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Null((await anonymous.GetAsync(Page + "?cache=2")).Headers.Age); // another query string: its own entry

        var team = $"Late team {Seed}";
        await ArrangeAsync(async on => await on.ScoredAsync(await on.TeamAsync(team), "age > 20", points: 1));
        // within a poll or two, the change evicts the cached copy and the next hit is rendered afresh
        var fresh = await UntilAsync(() => anonymous.GetAsync(Page + "?cache=1"), r => r.Headers.Age is null);
        Assert.Contains(team, await fresh.Content.ReadAsStringAsync());
        await UntilAsync(() => anonymous.GetAsync(Page + "?cache=1"), r => r.Headers.Age is not null); // and cached again

        var signedIn = await SignedInClient.CreateAsync(platform, "Participant");
        await signedIn.GetAsync(Page + "?cache=1");
        var again = await signedIn.GetAsync(Page + "?cache=1");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Null(again.Headers.Age);
        Assert.Contains("Logout", await again.Content.ReadAsStringAsync()); // the signed-in navigation, not the anonymous copy
    }

    [Fact]
    public async Task EventStream_SendsTheVersion_ThenAnEventAfterABump()
    {
        var client = platform.CreateClient();
        using var response = await client.GetAsync(Page + "/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        async Task<string> NextVersionAsync()
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) return line["data: ".Length..];
            throw new EndOfStreamException();
        }

        static long Revision(string version) => long.Parse(version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        var first = Revision(await NextVersionAsync());

        await ArrangeAsync(_ => Task.FromResult(0)); // a bump, as the scoring job or an organizer makes
        long bumped;
        await using (var scope = platform.Scope())
            bumped = await platform.NewDb(scope).Competitions.Where(c => c.Slug == DemoSeeder.Slug).Select(c => c.Revision).SingleAsync();
        Assert.True(bumped > first);

        // the stream catches up with the database within a poll or two, and says so
        while (Revision(await NextVersionAsync()) < bumped) { }
        var page = await PageAsync();
        Assert.Equal(bumped, Revision(page.QuerySelector("#leaderboard-live")!.GetAttribute("data-version")!));
    }

    [Fact]
    public async Task UnknownAndDraftCompetitions_Are404_PageAndEventStream()
    {
        await using (var scope = platform.Scope())
        {
            await CompetitionBuilder.New("Draft").WithDemoFiles().Draft().WithSlug($"draft-{Seed}").SaveAsync(platform.NewDb(scope));
        }
        var client = platform.CreateClient();

        foreach (var slug in new[] { "no-such-competition", $"draft-{Seed}" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/competitions/{slug}/leaderboard")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/competitions/{slug}/leaderboard/events")).StatusCode);
        }
    }
}
