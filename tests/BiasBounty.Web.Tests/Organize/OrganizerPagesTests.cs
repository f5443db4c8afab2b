using System.Net;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>Creating a competition end to end, the details' messages, and who may reach the organizer pages.</summary>
public sealed class OrganizerPagesTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private static CompetitionDetails Details(string slug) => new()
    {
        Name = "Income in Wyoming", Slug = slug, Description = "Find where the model errs.", Rules = "Be kind.",
        OpensAt = new DateTime(2026, 12, 1), ClosesAt = new DateTime(2027, 3, 1), RewardPool = 500m, Currency = "EUR",
    };

    private async Task<(Competition? Competition, Dictionary<string, string> Errors)> OpenAsync(CompetitionDetails details, CompetitionDraft draft, string organizerId)
    {
        await using var scope = platform.Scope();
        return await CreateCompetition.OpenAsync(platform.NewDb(scope), scope.ServiceProvider.GetRequiredService<CompetitionAssembly>(),
            details, draft, organizerId, CancellationToken.None);
    }

    private async Task<Dictionary<string, string>> ValidateAsync(CompetitionDetails details)
    {
        await using var scope = platform.Scope();
        return await CreateCompetition.ValidateAsync(platform.NewDb(scope), details, CancellationToken.None);
    }

    [Fact]
    public async Task Open_GermanCreditWithTheDefaults_IsRefusedBecauseNoGroupIsTestable_AndSuggestsSettings()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("german-credit.data.gz", OrganizeTestData.GermanCredit, OrganizeTestData.GermanCreditSchema));
        Assert.Null(draft.ConfirmSchema(draft.Combined!.Data.Schema.LabelColumn, draft.Combined.Data.Schema.PositiveClass, [], Metric.Error));
        Assert.Null(draft.TrainBaseline(new CompetitionSettings()));

        var details = Details("german-defaults");
        var (competition, errors) = await OpenAsync(details, draft, organizerId);

        Assert.Null(competition);
        var message = errors["Feasibility"];
        Assert.Contains("The holdout has 300 rows for this metric (120 in the feedback part, 180 in the confirmation part): no group can be tested", message);
        Assert.Contains("set the least group rows to 12 or less", message);

        details.MinGroupRows = 12;
        (competition, errors) = await OpenAsync(details, draft, organizerId);
        Assert.Empty(errors);
        Assert.NotNull(competition);
    }

    [Fact]
    public async Task Open_TheWizardsBaselineError_IsTheLeaderboardsVersionZero()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("acs-income-2018-WY.csv.gz", OrganizeTestData.Wyoming));
        Assert.Null(draft.ConfirmSchema("PINCP", null, [], Metric.Error));
        var details = Details("wyoming-version-zero");
        Assert.Null(draft.TrainBaseline(details.ToSettings(draft.SplitSeed)));
        var shown = draft.Check!.Percent;

        var (competition, errors) = await OpenAsync(details, draft, organizerId);
        Assert.Empty(errors);

        await using var scope = platform.Scope();
        var view = await new BiasBounty.Web.Leaderboard.LeaderboardQuery(platform.NewDb(scope), TimeProvider.System)
            .ForAsync(competition!.Slug, CancellationToken.None);
        Assert.Equal(shown, view!.Versions.Single(v => v.Version == 0).ErrorPercent);
    }

    [Fact]
    public async Task Create_FromOneWyomingFile_SplitsTrainsABaselineOpens_AndTheOrganizerSeesIt()
    {
        var (organizerId, email) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("acs-income-2018-WY.csv.gz", OrganizeTestData.Wyoming));
        Assert.Null(draft.ConfirmSchema("PINCP", null, [], Metric.Error));
        Assert.Null(draft.TrainBaseline(new CompetitionSettings()));

        var (competition, errors) = await OpenAsync(Details("income-wyoming"), draft, organizerId);
        Assert.Empty(errors);
        Assert.NotNull(competition);

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var stored = await db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == "income-wyoming");
            Assert.Equal(CompetitionStatus.Open, stored.Status);
            Assert.Equal(organizerId, stored.OrganizerId);
            Assert.Equal("EUR", stored.RewardCurrency);
            Assert.Equal("Be kind.", stored.RulesMarkdown);
            Assert.Equal(draft.DataSplitSeed, stored.DataSplitSeed);
            Assert.Equal("True", stored.PositiveClass);
            var version = Assert.Single(await db.DecisionListVersions.Where(v => v.CompetitionId == stored.Id).ToListAsync());
            Assert.Equal(0, version.Version);
            Assert.InRange(version.FeedbackLoss, 0.10, 0.35);
            var ledger = await db.Ledgers.SingleAsync(l => l.CompetitionId == stored.Id);
            Assert.Equal(0, ledger.Ledgers.FindingTestsRun);
            Assert.Equal(3, await db.StoredFiles.CountAsync(f => f.CompetitionId == stored.Id));
        }

        var anonymous = platform.CreateClient();
        var leaderboard = await anonymous.GetStringAsync("/competitions/income-wyoming/leaderboard");
        Assert.Contains("Income in Wyoming", leaderboard);

        var client = platform.CreateClient(new() { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        var wizard = await client.GetStringAsync("/organize/new");
        Assert.Contains("Create a competition", wizard);
        Assert.Contains("value=\"0.4\"", wizard); // the feedback share's default, prerendered
        Assert.DoesNotContain("SCORING.md", wizard);
        Assert.Contains("href=\"/rules/scoring\"", wizard);
        Assert.DoesNotContain("SCORING.md", await client.GetStringAsync("/organize/income-wyoming/holdout"));
        var list = await client.GetStringAsync("/organize");
        Assert.Contains("income-wyoming", list);
        Assert.DoesNotContain(DemoSeeder.Slug + "/ledger", list); // the demo belongs to the demo organizer
        Assert.Contains("No submissions yet", await client.GetStringAsync("/organize/income-wyoming/submissions"));
        var ledgerPage = await client.GetStringAsync("/organize/income-wyoming/ledger");
        Assert.Contains("0 used of 2,001", ledgerPage);
    }

    [Fact]
    public async Task Open_RefusesADraftWithoutData()
    {
        var (competition, errors) = await OpenAsync(Details("no-data"), new CompetitionDraft(), "nobody");
        Assert.Null(competition);
        Assert.Equal("Upload the data and confirm its schema first.", errors["Data"]);
    }

    [Fact]
    public async Task Details_SayWhatIsWrong_WithEveryField()
    {
        Assert.Empty(await ValidateAsync(Details("fine-slug")));

        async Task<string> MessageFor(string field, Action<CompetitionDetails> change)
        {
            var details = Details("fine-slug");
            change(details);
            var errors = await ValidateAsync(details);
            Assert.True(errors.ContainsKey(field), $"no message for {field}; got {string.Join(" | ", errors)}");
            return errors[field];
        }

        Assert.Equal("Give the competition a name.", await MessageFor("Name", d => d.Name = " "));
        Assert.Equal("The name can have at most 200 characters.", await MessageFor("Name", d => d.Name = new string('n', 201)));
        Assert.Equal("Choose a URL name (slug), e.g. income-wyoming.", await MessageFor("Slug", d => d.Slug = ""));
        Assert.StartsWith("The URL name may hold only lower-case letters", await MessageFor("Slug", d => d.Slug = "Bad Slug!"));
        Assert.Equal($"The URL name '{DemoSeeder.Slug}' is already taken; choose another.", await MessageFor("Slug", d => d.Slug = DemoSeeder.Slug));
        Assert.Equal("The end date must be after the start date.", await MessageFor("ClosesAt", d => d.ClosesAt = d.OpensAt));
        Assert.Equal("The end date must be after the start date.", await MessageFor("ClosesAt", d => d.ClosesAt = d.OpensAt.AddDays(-1)));
        Assert.Equal("Choose one of the listed metrics: error, fpr, fnr or squared for a model; wer or cer for an evaluation table.", await MessageFor("Metric", d => d.Metric = Metric.LossColumn));
        Assert.Equal("The feedback share must be between 0.05 and 0.95.", await MessageFor("FeedbackShare", d => d.FeedbackShare = 1.2));
        Assert.Equal("The least group size must be a whole number of rows from 1 to 1,000,000.", await MessageFor("MinGroupRows", d => d.MinGroupRows = 0));
        Assert.Equal("The certificate threshold ε must be between 0.000001 and 1.", await MessageFor("CertificateThreshold", d => d.CertificateThreshold = 0));
        Assert.Equal("The false-discovery target must be between 0.000001 and 0.5.", await MessageFor("FdrAlpha", d => d.FdrAlpha = 0.7));
        Assert.Equal("The finding weight must be between 0 and 10.", await MessageFor("FindingWeight", d => d.FindingWeight = -1));
        Assert.Equal("Submissions per team per day must be a whole number from 1 to 1,000.", await MessageFor("SubmissionsPerDay", d => d.SubmissionsPerDay = 0));
        Assert.Equal("The largest model must be from 1 to 200 MB.", await MessageFor("MaxModelMegabytes", d => d.MaxModelMegabytes = 500));
        Assert.StartsWith("The reward pool must be an amount of 0 or more", await MessageFor("RewardPool", d => d.RewardPool = -1));
        Assert.Equal("The currency must be a three-letter ISO code in capitals, such as USD or EUR.", await MessageFor("Currency", d => d.Currency = "euro"));
        Assert.Equal("The description can have at most 20,000 characters.", await MessageFor("Description", d => d.Description = new string('d', 20_001)));
    }

    [Fact]
    public async Task Details_Defaults_AreTheSettingsOfScoringMd()
    {
        var settings = new CompetitionDetails().ToSettings(7);
        Assert.Equal(new CompetitionSettings() with { SplitSeed = 7 }, settings);
    }

    [Theory]
    [InlineData("/organize")]
    [InlineData("/organize/new")]
    [InlineData("/organize/adult-income/submissions")]
    [InlineData("/organize/adult-income/ledger")]
    public async Task OrganizerPages_AreRefused_ToParticipants_AndAnonymousViewers(string path)
    {
        var participant = await SignedInClient.CreateAsync(platform, Roles.Participant);
        var refused = await participant.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/AccessDenied", refused.Headers.Location!.OriginalString);

        var anonymous = await SignedInClient.CreateAsync(platform);
        var challenged = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
        Assert.Contains("/Account/Login", challenged.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("submissions")]
    [InlineData("ledger")]
    public async Task CompetitionPages_Answer404_ToAnotherOrganizer_And200_ToAnAdmin(string page)
    {
        var other = await SignedInClient.CreateAsync(platform, Roles.Organizer);
        var response = await other.GetAsync($"/organize/{DemoSeeder.Slug}/{page}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Adult income", await response.Content.ReadAsStringAsync());

        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/organize/{DemoSeeder.Slug}/{page}")).StatusCode);
    }

    [Fact]
    public async Task Submissions_ShowTheFullInternalRecord_ToTheCompetitionsOrganizer()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Record readers", Arrange.MarriedGroup);
        await platform.RunScoringJobAsync(id);

        var client = platform.CreateClient(new() { AllowAutoRedirect = false });
        await using (var scope = platform.Scope())
        {
            // Sign in as the demo organizer: give the seeded account a known password.
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<BiasBounty.Web.Persistence.ApplicationUser>>();
            var organizer = (await users.FindByEmailAsync(new DemoOptions().OrganizerEmail))!;
            await users.RemovePasswordAsync(organizer);
            await users.AddPasswordAsync(organizer, SignedInClient.Password);
            organizer.MustChangePassword = false; // as if the one-time password had been changed at the first sign-in
            await users.UpdateAsync(organizer);
        }
        await SignedInClient.SignInAsync(client, new DemoOptions().OrganizerEmail);
        var html = await client.GetStringAsync($"/organize/{DemoSeeder.Slug}/submissions");
        Assert.Contains("Record readers", html);
        Assert.Contains("mask hash", html);
        Assert.Contains("provenance", html);
        Assert.Contains("finding", html);

        var ledger = await client.GetStringAsync($"/organize/{DemoSeeder.Slug}/ledger");
        Assert.Contains("findings (claim 1)", ledger);
        Assert.Contains("used of", ledger);
    }

    [Fact]
    public async Task HangfireDashboard_IsOpenToOrganizers_AndRefusedToParticipants()
    {
        var organizer = await SignedInClient.CreateAsync(platform, Roles.Organizer);
        Assert.Equal(HttpStatusCode.OK, (await organizer.GetAsync("/hangfire")).StatusCode);

        var participant = await SignedInClient.CreateAsync(platform, Roles.Participant);
        var refused = await participant.GetAsync("/hangfire");
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden
            || (refused.StatusCode == HttpStatusCode.Redirect && refused.Headers.Location!.OriginalString.Contains("/Account/AccessDenied")),
            $"participant got {refused.StatusCode} {refused.Headers.Location}");
    }
}
