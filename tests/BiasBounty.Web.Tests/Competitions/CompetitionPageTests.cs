using System.Net;
using System.Text.Json;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Competitions;

public sealed class CompetitionPageTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task<(byte[] Training, byte[] Holdout, byte[] BaseModel)> StoredFilesAsync()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await Arrange.DemoCompetitionAsync(db);
        var files = await db.StoredFiles.Where(f => f.CompetitionId == competition.Id).ToListAsync();
        return (files.Single(f => f.Kind == StoredFileKind.Training).Content, files.Single(f => f.Kind == StoredFileKind.Holdout).Content,
            files.Single(f => f.Kind == StoredFileKind.Model && f.FileName == "baseline.onnx").Content);
    }

    [Fact]
    public async Task Page_RendersDescriptionMarkdown_WithoutRawHtml_AndShowsTheDataCardAndSubmitLink()
    {
        var html = await DemoPageAfter(c => c.DescriptionMarkdown = "## Rules\n\nBe **kind**.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>");

        Assert.Contains("<h2>Rules</h2>", html);
        Assert.Contains("<strong>kind</strong>", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("data-testid=\"submit-link\"", html);
        Assert.Contains($"href=\"competitions/{DemoSeeder.Slug}/submit\"", html);
        Assert.Contains("data-testid=\"data-card\"", html);
        Assert.Contains("32,561 rows of public training data", html);
        Assert.Contains("Holand-Netherlands", html); // values come from the public file
    }

    [Fact]
    public async Task Page_RendersTheRulesMarkdown_WithoutRawHtml()
    {
        var html = await DemoPageAfter(c => c.RulesMarkdown = "1. One account per person.\n2. Be **kind**.\n\n<script>alert('rules')</script>");

        Assert.Contains("data-testid=\"rules\"", html);
        Assert.Contains("<li>One account per person.</li>", html);
        Assert.DoesNotContain("<script>alert('rules')", html);
    }

    /// <summary>Changes the demo competition, then fetches its public page as an anonymous viewer.</summary>
    private async Task<string> DemoPageAfter(Action<Competition> change)
    {
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            change(await Arrange.DemoCompetitionAsync(db));
            await db.SaveChangesAsync();
        }
        return await platform.CreateClient().GetStringAsync($"/competitions/{DemoSeeder.Slug}");
    }

    [Fact]
    public async Task ScoringRules_AreServedFromTheDocs_WithAnchorsThePagesLinkTo()
    {
        var page = await platform.CreateClient().GetStringAsync(ScoringRules.Path);

        Assert.Contains("How BiasBounty scores a submission", page);
        foreach (var anchor in new[] { "holdout", "gates", "findings", "fixes", "repairs", "ledgers", "release", "models", "points" })
            Assert.Contains($"id=\"{anchor}\"", page);
        Assert.DoesNotContain("SCORING.md", page);
    }

    [Fact]
    public async Task Page_AfterTheWizardOpensIt_ConfirmsTheOpening()
    {
        var client = platform.CreateClient();

        Assert.Contains("The competition is open.", await client.GetStringAsync($"/competitions/{DemoSeeder.Slug}?opened=true"));
        Assert.DoesNotContain("The competition is open.", await client.GetStringAsync($"/competitions/{DemoSeeder.Slug}"));
    }

    [Fact]
    public async Task Page_Is404_ForAnUnknownCompetition()
    {
        var response = await platform.CreateClient().GetAsync("/competitions/no-such-competition");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Downloads_AreThePublicTrainingFile_TheDataCardAndTheBaseModel_NeverTheHoldout()
    {
        var (training, holdout, baseModel) = await StoredFilesAsync();
        var client = platform.CreateClient();

        var downloadedTraining = await client.GetByteArrayAsync($"/competitions/{DemoSeeder.Slug}/download/training");
        var card = await client.GetStringAsync($"/competitions/{DemoSeeder.Slug}/download/schema.json");
        var model = await client.GetByteArrayAsync($"/competitions/{DemoSeeder.Slug}/download/model");

        Assert.NotEqual(holdout, downloadedTraining);
        using var json = JsonDocument.Parse(card);
        Assert.Equal(32_561, json.RootElement.GetProperty("rows").GetInt32()); // adult.data; adult.test has 16,281
        Assert.Equal("income", json.RootElement.GetProperty("label").GetString());
        Assert.Equal(baseModel, model);
        foreach (var body in new[] { downloadedTraining, model, System.Text.Encoding.UTF8.GetBytes(card) })
            Assert.False(body.AsSpan().IndexOf(holdout.AsSpan(0, 256)) >= 0);
    }

    [Fact]
    public async Task TrainingDownload_HasAHeaderLine_SoBbountyReadsItAsDownloaded()
    {
        var client = platform.CreateClient();

        var response = await client.GetAsync($"/competitions/{DemoSeeder.Slug}/download/training");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal($"{DemoSeeder.Slug}-training.csv.gz", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        // What `bbounty check-group --data adult-income-training.csv.gz 'age >= 60'` does: load without a sidecar, parse, count.
        var data = BiasBounty.Scoring.Data.CsvDatasetLoader.Load(bytes);
        Assert.Equal(32_561, data.RowCount);
        Assert.Contains("income", data.Columns.Select(c => c.Name));
        var group = BiasBounty.Scoring.Expressions.SubgroupExpression.Parse("age >= 60");
        var rows = group.Compile(data).Evaluate(data).Count();
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var published = await scope.ServiceProvider.GetRequiredService<PublicDataCache>().GetAsync(db, (await Arrange.DemoCompetitionAsync(db)).Id);
        Assert.Equal(group.Compile(published!.Training).Evaluate(published.Training).Count(), rows);
        Assert.True(rows > 0);
    }

    [Fact]
    public async Task Page_ShowsCliHints_WithTheCompetitionsLabelAndFile()
    {
        var html = System.Net.WebUtility.HtmlDecode(await platform.CreateClient().GetStringAsync($"/competitions/{DemoSeeder.Slug}"));

        Assert.Contains($"bbounty inspect {DemoSeeder.Slug}-training.csv.gz --label 'income'", html);
        Assert.Contains($"bbounty check-group --data {DemoSeeder.Slug}-training.csv.gz 'age >= 60'", html);
        Assert.DoesNotContain("--label label", html);
    }

    [Fact]
    public async Task Page_HidesYourTeamAndMySubmissions_FromSignedOutVisitors()
    {
        var anonymous = await platform.CreateClient().GetStringAsync($"/competitions/{DemoSeeder.Slug}");
        var member = await ParticipantArrange.MemberAsync(platform, "Links Team " + Guid.NewGuid().ToString("N")[..6]);
        var signedIn = await member.Client.GetStringAsync($"/competitions/{DemoSeeder.Slug}");

        Assert.DoesNotContain("data-testid=\"team-link\"", anonymous);
        Assert.DoesNotContain("My submissions", anonymous);
        Assert.Contains("data-testid=\"team-link\"", signedIn);
        Assert.Contains("data-testid=\"my-submissions-link\"", signedIn);
    }

    [Theory]
    [InlineData("/competitions/no-such/download/training")]
    [InlineData("/competitions/no-such/download/schema.json")]
    [InlineData("/competitions/no-such/download/model")]
    [InlineData("/competitions/adult-income/download/holdout")]
    public async Task Downloads_Are404_ForAnythingElse(string path)
    {
        var response = await platform.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
