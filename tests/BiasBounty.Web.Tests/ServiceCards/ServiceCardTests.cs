using System.Globalization;
using System.Net;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.ServiceCards;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Tests.Leaderboard;
using BiasBounty.Web.Submissions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.ServiceCards;

/// <summary>Service cards on a competition whose model has three accepted fixes: content, visibility, and the card produced at the close.</summary>
public sealed class ServiceCardTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private static readonly string[] Sections =
    [
        "about", "model", "versionHistory", "intendedUse", "factors", "metric", "evaluationData", "trainingData", "quantitativeAnalysis",
        "verifiedFindings", "acceptedFixes", "ethicalConsiderations", "caveats", "testOnYourData",
    ];

    private async Task<CardOutcome> ActAsync(Func<ServiceCardProduction, Task<CardOutcome>> action)
    {
        await using var scope = platform.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<ServiceCardProduction>());
    }

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = platform.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        return client;
    }

    [Fact]
    public async Task PublishedCard_HasEverySection_GroupNumbersAgreeWithAnIndependentCount_AndShowsNoHoldoutValue()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        var (competition, teams) = await ImprovedModelArrange.SaveAsync(platform, organizerId);
        await ActAsync(p => p.SaveNotesAsync(competition.Id, new CardNotesInput("Screening **loan** applications.", "", "", ""), organizerId));
        Guid disclosedId, embargoedId;
        await using (var scope = platform.Scope())
        {
            var arrange = new LeaderboardArrange(platform.NewDb(scope), competition);
            var finders = await arrange.TeamAsync("Open Finders");
            disclosedId = (await arrange.ScoredAsync(finders, "age >= 60", triage: TriageState.Approved, discloseAt: DateTimeOffset.UtcNow.AddDays(-1))).Id;
            embargoedId = (await arrange.ScoredAsync(finders, "age < 25", triage: TriageState.Approved, discloseAt: DateTimeOffset.UtcNow.AddDays(20))).Id;
        }
        Assert.True((await ActAsync(p => p.ProduceAsync(competition.Id, 3, organizerId))).Done);
        Assert.True((await ActAsync(p => p.PublishAsync(competition.Id, 3, true, organizerId))).Done);
        var client = platform.CreateClient();

        var json = await client.GetStringAsync($"/competitions/{competition.Slug}/service-card/3/card.json");
        var markdown = await client.GetStringAsync($"/competitions/{competition.Slug}/service-card/3/card.md");
        var html = await client.GetStringAsync($"/competitions/{competition.Slug}/service-card/3");
        Assert.Contains("model version <strong>3</strong>", await client.GetStringAsync($"/competitions/{competition.Slug}/service-card")); // the newest published card

        using var card = JsonDocument.Parse(json);
        var root = card.RootElement;
        foreach (var section in Sections) Assert.True(root.TryGetProperty(section, out _), $"no {section} in the JSON");
        Assert.Equal(3, root.GetProperty("about").GetProperty("version").GetInt32());
        Assert.Equal(DateTimeOffset.UtcNow.Date, root.GetProperty("about").GetProperty("producedAt").GetDateTimeOffset().UtcDateTime.Date);
        Assert.Equal("Screening **loan** applications.", root.GetProperty("intendedUse").GetProperty("primaryUses").GetProperty("text").GetString());
        Assert.Contains("has not described", root.GetProperty("intendedUse").GetProperty("outOfScope").GetProperty("text").GetString());
        Assert.Contains("<strong>loan</strong>", html);
        var findings = root.GetProperty("verifiedFindings").EnumerateArray().ToArray();
        Assert.Equal(("age >= 60", "Open Finders"), (findings.Single().GetProperty("group").GetString(), findings.Single().GetProperty("team").GetString()));
        Assert.DoesNotContain("age < 25", markdown); // still under embargo
        Assert.Equal(teams, root.GetProperty("acceptedFixes").EnumerateArray().Select(f => f.GetProperty("team").GetString()).ToArray());
        Assert.Equal([0, 1, 2, 3], root.GetProperty("versionHistory").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ToArray());
        Assert.All(root.GetProperty("versionHistory").EnumerateArray(), v => Assert.Equal(JsonValueKind.Object, v.GetProperty("interval").ValueKind));
        var analysis = root.GetProperty("quantitativeAnalysis");
        var groups = analysis.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Contains(groups, g => g.GetProperty("columns").GetArrayLength() == 2); // intersections
        Assert.True(analysis.GetProperty("groupsNotShown").GetInt32() > 0);
        Assert.All(groups, g =>
        {
            foreach (var loss in new[] { g.GetProperty("base"), g.GetProperty("this") })
            {
                var interval = loss.GetProperty("interval");
                Assert.InRange(loss.GetProperty("percent").GetDouble(), interval.GetProperty("lowerPercent").GetDouble(), interval.GetProperty("upperPercent").GetDouble());
            }
        });

        // One group counted by hand: women, on the feedback part, with the platform's predictions of version 3.
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var file = await db.StoredFiles.SingleAsync(f => f.Id == competition.HoldoutFileId);
            var data = CompetitionData.LoadDataset(file.Content, file.LoadSchemaJson);
            var settings = competition.ScoringSettings();
            var feedback = Holdout.Create(data, settings.FeedbackShare, settings.SplitSeed, file.ContentHash).Feedback;
            var list = PointerDecisionList.FromJson(await db.DecisionListVersions.Where(v => v.CompetitionId == competition.Id && v.Version == 3).Select(v => v.ListJson).SingleAsync());
            var predictions = list.HoldoutPredictions(3);
            var y = LabelDomain.Of(data).Encode(data);
            int n = 0, errors = 0;
            for (var i = 0; i < data.RowCount; i++)
            {
                if (!feedback.Contains(i) || data["sex"].FormatValue(i) != "Female") continue;
                n++;
                if (predictions[i] != y[i]) errors++;
            }
            var women = groups.Single(g => g.GetProperty("group").GetString() == "sex == \"Female\"").GetProperty("this");
            Assert.Equal(Math.Round(100.0 * errors / n, 1), women.GetProperty("percent").GetDouble());
            const double z = 1.959963984540054;
            var p = (double)errors / n;
            var centre = (p + z * z / (2 * n)) / (1 + z * z / n);
            var half = z / (1 + z * z / n) * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
            Assert.Equal(Math.Round(100 * (centre - half), 1), women.GetProperty("interval").GetProperty("lowerPercent").GetDouble());
            Assert.Equal(Math.Round(100 * (centre + half), 1), women.GetProperty("interval").GetProperty("upperPercent").GetDouble());
            Assert.DoesNotContain(n.ToString(CultureInfo.InvariantCulture), women.GetRawText()); // a size band, not the count

            // No holdout value: the hidden column's values (five digits and more, so they cannot be a percentage or a year).
            var hidden = data["fnlwgt"];
            var values = Enumerable.Range(0, data.RowCount).Select(hidden.FormatValue).OfType<string>().Where(v => v.Length >= 5).Distinct().ToArray();
            Assert.NotEmpty(values);
            foreach (var (form, whole) in new[] { ("JSON", json), ("Markdown", markdown), ("HTML", html) })
            {
                var text = whole.Replace(competition.Slug, "").Replace(competition.Name, "").Replace(competition.Id.ToString(), ""); // random digits of their own
                text = System.Text.RegularExpressions.Regex.Replace(text, @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", ""); // a timestamp's fraction of a second
                var leaked = values.FirstOrDefault(text.Contains);
                Assert.True(leaked is null, $"the {form} card contains the holdout's fnlwgt value {leaked}: …{(leaked is null ? "" : text.Substring(Math.Max(0, text.IndexOf(leaked, StringComparison.Ordinal) - 80), 120))}…");
            }
        }

        foreach (var heading in new[] { "## Model details", "## Intended use", "## Factors", "## Metric", "## Evaluation data", "## Training data",
                     "## Quantitative analysis", "## Verified findings", "## Accepted fixes", "## Ethical considerations", "## Caveats", "## Test it on your own data" })
            Assert.Contains(heading, markdown);
        var page = ParticipantArrange.Html(html);
        foreach (var section in new[] { "card-model", "card-intended-use", "card-factors", "card-metric", "card-evaluation-data", "card-training-data",
                     "card-analysis", "card-findings", "card-ethics", "card-caveats", "card-test-yourself" })
            Assert.NotNull(page.QuerySelector($"[data-testid='{section}']"));
        Assert.Null(page.QuerySelector("[data-testid='card-unpublished']"));
        Assert.Contains("age &gt;= 60", page.QuerySelector("[data-testid='card-findings']")!.InnerHtml);

        // Withheld after the card was produced: gone from every form of the published card at once.
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var finding = await db.Submissions.SingleAsync(x => x.Id == disclosedId);
            finding.WithheldReason = "Legal review";
            await db.SaveChangesAsync();
        }
        using (var after = JsonDocument.Parse(await client.GetStringAsync($"/competitions/{competition.Slug}/service-card/3/card.json")))
            Assert.Equal(0, after.RootElement.GetProperty("verifiedFindings").GetArrayLength());
        Assert.DoesNotContain("age >= 60", await client.GetStringAsync($"/competitions/{competition.Slug}/service-card/3/card.md"));
        Assert.DoesNotContain("age &gt;= 60", await client.GetStringAsync($"/competitions/{competition.Slug}/service-card/3"));
        Assert.NotEqual(Guid.Empty, embargoedId);
    }

    [Fact]
    public async Task UnpublishedCard_Is404ForAnonymousParticipantsAndOtherOrganizers_VisibleToItsOrganizerAndAdmins_PublicOncePublished()
    {
        var (organizerId, organizerEmail) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition competition;
        await using (var scope = platform.Scope())
            competition = await CompetitionBuilder.New("Cards").OrganizedBy(organizerId).SaveWithDemoDataAsync(scope);
        Assert.True((await ActAsync(p => p.ProduceAsync(competition.Id, 0, organizerId))).Done);

        var anonymous = await SignedInClient.CreateAsync(platform);
        var participant = await SignedInClient.CreateAsync(platform, Roles.Participant);
        var otherOrganizer = await SignedInClient.CreateAsync(platform, Roles.Organizer);
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);
        var organizer = await SignedInAsync(organizerEmail);
        string[] paths = [$"/competitions/{competition.Slug}/service-card/0", $"/competitions/{competition.Slug}/service-card/0/card.md",
            $"/competitions/{competition.Slug}/service-card/0/card.json", $"/competitions/{competition.Slug}/service-card"];

        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await participant.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await otherOrganizer.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await organizer.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        }
        Assert.Contains("data-testid=\"card-unpublished\"", await organizer.GetStringAsync(paths[0]));

        Assert.True((await ActAsync(p => p.PublishAsync(competition.Id, 0, true, organizerId))).Done);
        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await participant.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/competitions/{competition.Slug}/service-card/1")).StatusCode);

        Assert.True((await ActAsync(p => p.PublishAsync(competition.Id, 0, false, organizerId))).Done);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(paths[0])).StatusCode);

        // the organizer's page lists the version and its card; another organizer gets 404
        Assert.Contains("data-testid=\"card-state-0\"", await organizer.GetStringAsync($"/organize/{competition.Slug}/service-cards"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherOrganizer.GetAsync($"/organize/{competition.Slug}/service-cards")).StatusCode);
        await using (var scope = platform.Scope())
            Assert.Equal(3, await platform.NewDb(scope).AuditEvents.CountAsync(a => a.CompetitionId == competition.Id && a.Kind == BiasBounty.Web.Audit.AuditEvent.ServiceCardChanged));
    }

    [Fact]
    public async Task Close_ProducesTheFinalVersionsCard_Unpublished()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        var (competition, teams) = await ImprovedModelArrange.SaveAsync(platform, organizerId);
        await using (var scope = platform.Scope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<CompetitionClosing>().CloseAsync(competition.Id, organizerId)).Closed);

        ServiceCard? card = null;
        for (var waited = 0; waited < 120 && card is null; waited++)
        {
            await Task.Delay(500);
            await using var scope = platform.Scope();
            card = await platform.NewDb(scope).ServiceCards.AsNoTracking().SingleOrDefaultAsync(c => c.CompetitionId == competition.Id);
        }
        Assert.NotNull(card);
        Assert.Equal(3, card.Version);
        Assert.Null(card.ProducedBy);
        Assert.Null(card.PublishedAt);
        var document = card.Document();
        Assert.Equal("Closed", document.About.CompetitionStatus);
        Assert.Equal(teams, document.AcceptedFixes.Select(f => f.Team).ToArray());
        Assert.Equal(HttpStatusCode.NotFound, (await platform.CreateClient().GetAsync($"/competitions/{competition.Slug}/service-card/3")).StatusCode);
    }

    [Fact]
    public async Task Card_NamesTheColumnsTheOrganizerMarkedProtected()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition competition;
        await using (var scope = platform.Scope())
        {
            competition = await CompetitionBuilder.New("Protected card").OrganizedBy(organizerId).SaveWithDemoDataAsync(scope);
            var db = platform.NewDb(scope);
            var stored = await db.Competitions.SingleAsync(c => c.Id == competition.Id);
            stored.ProtectedColumns = ["sex", "race"];
            await db.SaveChangesAsync();
        }

        Assert.True((await ActAsync(p => p.ProduceAsync(competition.Id, 0, organizerId))).Done);
        Assert.True((await ActAsync(p => p.PublishAsync(competition.Id, 0, true, organizerId))).Done);

        var document = ServiceCardDocument.FromJson(await platform.CreateClient().GetStringAsync($"/competitions/{competition.Slug}/service-card/0/card.json"));
        Assert.Equal(["sex", "race"], document.Factors.ProtectedColumns);
        Assert.Contains("marks sex, race as protected", document.Factors.Note);
        Assert.Contains("Protected columns: sex, race", await platform.CreateClient().GetStringAsync($"/competitions/{competition.Slug}/service-card/0"));
    }

    [Fact]
    public async Task EvaluationTableCompetition_GetsACard_ThatSaysThereIsNoModelToBreakDown()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition competition;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            competition = await CompetitionBuilder.New("Speech card").OrganizedBy(organizerId).WithMetric(Metric.LossColumn).SaveAsync(db);
            db.DecisionListVersions.Add(new DecisionListVersion
            {
                CompetitionId = competition.Id, Version = 0, FeedbackLoss = 0.123,
                ListJson = $$"""{"format":"{{PointerDecisionList.FormatName}}","baseModelId":"{{PointerDecisionList.EvaluationTableModelId}}","holdoutHash":"x","nodes":[],"versions":[{"number":0,"nodeCount":0,"holdoutPredictions":""}]}""",
            });
            await db.SaveChangesAsync();
        }

        Assert.True((await ActAsync(p => p.ProduceAsync(competition.Id, 0, organizerId))).Done);
        Assert.True((await ActAsync(p => p.PublishAsync(competition.Id, 0, true, organizerId))).Done);

        var document = ServiceCardDocument.FromJson(await platform.CreateClient().GetStringAsync($"/competitions/{competition.Slug}/service-card/0/card.json"));
        Assert.Null(document.Model.OnnxDownload);
        Assert.Contains("no model to run or download", document.Model.Summary);
        Assert.Equal(12.3, document.VersionHistory.Single().LossPercent);
        Assert.Empty(document.QuantitativeAnalysis.Groups);
        Assert.Contains("evaluation-table", document.QuantitativeAnalysis.Note);
    }
}
