using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>Refreshing the demo competition's holdout for real (then scoring on it), and the disclosure policy.</summary>
public sealed class HoldoutAndDisclosureTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    /// <summary>What the public leaderboard reads of the model: each version's feedback loss, and the revision.</summary>
    private async Task<(double[] Losses, long Revision)> PublicNumbersAsync(Guid competitionId)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var losses = await db.DecisionListVersions.Where(v => v.CompetitionId == competitionId).OrderBy(v => v.Version).Select(v => v.FeedbackLoss).ToArrayAsync();
        return (losses, await db.Competitions.Where(c => c.Id == competitionId).Select(c => c.Revision).SingleAsync());
    }

    private async Task<RefreshOutcome> RefreshAsync(Guid competitionId, string fileName, byte[] content, string actorId)
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<HoldoutRefresh>().RefreshAsync(competitionId, fileName, content, actorId);
    }

    /// <summary>The current holdout's rows from <paramref name="first"/> on, <paramref name="count"/> of them, written as a CSV with a header.</summary>
    private async Task<byte[]> HoldoutRowsAsync(int first, int count, bool gzip = true)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var demo = await Arrange.DemoCompetitionAsync(db);
        var file = await db.StoredFiles.SingleAsync(f => f.Id == demo.HoldoutFileId);
        var data = CompetitionData.LoadDataset(file.Content, file.LoadSchemaJson);
        return CsvDatasetWriter.ToBytes(data.SelectRows(Enumerable.Range(first, Math.Min(count, data.RowCount - first)).ToArray()), gzip);
    }

    [Fact]
    public async Task Refresh_KeepsTheModel_RestartsLedgersAndBudget_AndTheNextScoringUsesTheNewHoldout()
    {
        // Before: an accepted fix (model version 1) spends from both ledgers and the budget.
        var fix = await Arrange.DemoSubmissionAsync(platform, "Before Refresh", Arrange.MarriedGroup, Arrange.MarriedFixModel);
        await platform.RunScoringJobAsync(fix);
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Guid demoId;
        int acceptCount;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            demoId = (await Arrange.DemoCompetitionAsync(db)).Id;
            Assert.True((await db.Scores.SingleAsync(s => s.SubmissionId == fix)).FixAccepted);
            var ledger = await db.Ledgers.SingleAsync(l => l.CompetitionId == demoId);
            Assert.True(ledger.Ledgers.AcceptedOnHoldout > 0);
            Assert.True(ledger.Ledgers.FindingTestsRun > 0); // paid by the submitting team's ledgers
            acceptCount = ledger.AcceptCount;
        }
        var (lossesBefore, revisionBefore) = await PublicNumbersAsync(demoId);

        var fresh = await HoldoutRowsAsync(0, 9000);
        var outcome = await RefreshAsync(demoId, "adult-fresh.csv.gz", fresh, organizerId);

        Assert.True(outcome.Refreshed, outcome.Message);
        var freshHash = StoredFile.Create(demoId, StoredFileKind.Holdout, "", fresh).ContentHash;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var demo = await db.Competitions.AsNoTracking().SingleAsync(c => c.Id == demoId);
            var holdout = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == demo.HoldoutFileId);
            Assert.Equal(freshHash, holdout.ContentHash);
            Assert.Equal("adult-fresh.csv.gz", holdout.FileName);
            Assert.Equal(2, await db.StoredFiles.CountAsync(f => f.CompetitionId == demoId && f.Kind == StoredFileKind.Holdout));

            // The model is kept: the same versions, their cached predictions now on the new rows.
            var versions = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == demoId).OrderBy(v => v.Version).ToListAsync();
            Assert.Equal([0, 1], versions.Select(v => v.Version));
            var list = PointerDecisionList.FromJson(versions[^1].ListJson);
            Assert.Equal(freshHash, list.HoldoutHash);
            Assert.Equal(2, list.Versions.Count);
            Assert.All(list.Versions, v => Assert.Equal(9000, v.HoldoutPredictions.Length));

            // The public chart's numbers are measured again on the new rows, every version alike, and the pages learn of it.
            var runtime = await scope.ServiceProvider.GetRequiredService<CompetitionRuntimeCache>().GetAsync(db, demo, CancellationToken.None);
            Assert.Equal(freshHash, runtime.Holdout.ContentHash);
            Assert.Equal(versions.Select(v => CompetitionData.FeedbackLoss(list, v.Version, runtime.Holdout, demo.ScoringSettings())),
                versions.Select(v => v.FeedbackLoss));
            var (lossesAfter, revisionAfter) = await PublicNumbersAsync(demoId);
            Assert.All(lossesBefore.Zip(lossesAfter), pair => Assert.NotEqual(pair.First, pair.Second));
            Assert.True(revisionAfter > revisionBefore);

            // Both ledgers and the budget start again; the model's own count stays.
            var ledger = await db.Ledgers.AsNoTracking().SingleAsync(l => l.CompetitionId == demoId);
            Assert.Equal(BiasBounty.Scoring.Engine.Ledgers.Start(demo.Settings.FdrAlpha), ledger.Ledgers);
            Assert.Equal(acceptCount, ledger.AcceptCount);

            var audit = await db.AuditEvents.SingleAsync(a => a.CompetitionId == demoId && a.Kind == AuditEvent.HoldoutRefreshed);
            Assert.Equal(organizerId, audit.ActorId);
            Assert.Contains("'adult-fresh.csv.gz' (9,000 rows", audit.Detail);
        }

        // The next scoring job reads the new holdout (its content hash is in the record) and spends from the new ledger.
        var finding = await Arrange.DemoSubmissionAsync(platform, "After Refresh", "age >= 60");
        await platform.RunScoringJobAsync(finding);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var score = await db.Scores.AsNoTracking().SingleAsync(s => s.SubmissionId == finding);
            Assert.Equal(freshHash, score.Record.Provenance.HoldoutHash);
            Assert.Equal(1, score.ModelVersion);
            Assert.Equal(1, (await db.Ledgers.AsNoTracking().SingleAsync(l => l.CompetitionId == demoId)).Ledgers.FindingTestsRun);
        }

        // The same rows cannot reset the ledgers a second time.
        var again = await RefreshAsync(demoId, "adult-fresh.csv.gz", fresh, organizerId);
        Assert.False(again.Refreshed);
        Assert.Equal(HoldoutRefresh.ReusedMessage, again.Message);
    }

    [Fact]
    public async Task Refresh_RefusesABadFile_SayingWhereTheProblemIs_AndChangesNothing()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Guid demoId, holdoutBefore;
        await using (var scope = platform.Scope())
        {
            var demo = await Arrange.DemoCompetitionAsync(platform.NewDb(scope));
            (demoId, holdoutBefore) = (demo.Id, demo.HoldoutFileId!.Value);
        }

        var notCsv = await RefreshAsync(demoId, "holdout.xlsx", [1, 2, 3], organizerId);
        Assert.Equal("The holdout file must be CSV or TSV (.csv, .tsv or .txt, optionally gzip-compressed as .gz); 'holdout.xlsx' is not.", notCsv.Message);

        var otherColumns = await RefreshAsync(demoId, "other.csv", Encoding.UTF8.GetBytes("age,colour\n30,red\n40,blue\n"), organizerId);
        Assert.StartsWith("The holdout file must have the training file's columns: it lacks 'workclass', 'fnlwgt'", otherColumns.Message);
        Assert.Contains("it has 'colour' that the training file does not", otherColumns.Message);

        // A word where the age belongs, on the third line (the second row).
        var lines = Encoding.UTF8.GetString(await HoldoutRowsAsync(100, 50, gzip: false)).Split('\n');
        lines[2] = "elderly" + lines[2][lines[2].IndexOf(',')..];
        var wrongKind = await RefreshAsync(demoId, "typo.csv", Encoding.UTF8.GetBytes(string.Join('\n', lines)), organizerId);
        Assert.False(wrongKind.Refreshed);
        Assert.StartsWith("The holdout file does not fit the training file's column kinds: Line 3, column 'age'", wrongKind.Message);

        await using var check = platform.Scope();
        var db = platform.NewDb(check);
        Assert.Equal(holdoutBefore, (await Arrange.DemoCompetitionAsync(db)).HoldoutFileId);
        Assert.False(await db.AuditEvents.AnyAsync(a => a.ActorId == organizerId));
    }

    [Fact]
    public async Task Refresh_IsRefused_WhileTheCompetitionIsClosed()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition competition;
        await using (var scope = platform.Scope())
            competition = await CompetitionBuilder.New("Holdout").LikeDemo().OrganizedBy(organizerId).Closed().SaveAsync(platform.NewDb(scope));

        var outcome = await RefreshAsync(competition.Id, "fresh.csv.gz", await HoldoutRowsAsync(200, 500), organizerId);

        Assert.False(outcome.Refreshed);
        Assert.Equal(HoldoutRefresh.ClosedMessage, outcome.Message);
    }

    [Fact]
    public async Task HoldoutPage_ShowsBothLedgersAndTheBudget_ToTheOrganizer()
    {
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);
        var html = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/holdout");
        Assert.Contains("data-testid=\"alpha-wealth\"", html);
        Assert.Contains("data-ledger=\"findings\"", html);
        Assert.Contains("data-ledger=\"fixes\"", html);
        Assert.Contains("data-testid=\"accept-budget\"", html);
        Assert.Contains("data-testid=\"holdout-upload\"", html);
        Assert.Contains("data-testid=\"holdout-refresh\"", html);
    }

    [Fact]
    public async Task ScoringJob_ChargesTheSubmittingTeamsLedgers_AndTheHoldoutPageNamesTheTeam()
    {
        var finding = await Arrange.DemoSubmissionAsync(platform, "Ledger Payers", "age >= 45");
        await platform.RunScoringJobAsync(finding);

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var submission = await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == finding);
            var ledgers = (await db.Ledgers.AsNoTracking().SingleAsync(l => l.CompetitionId == submission.CompetitionId)).Ledgers;
            var pair = ledgers.Teams[submission.TeamId.ToString()];
            Assert.Equal(1, pair.Findings.TestsRun);
            Assert.Equal(0, pair.Fixes.TestsRun);
            Assert.Equal(0, ledgers.Findings.TestsRun); // the competition's own pair is for submissions without a team
        }
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);
        var html = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/holdout");
        Assert.Contains("data-team=\"Ledger Payers\" data-ledger=\"findings\"", html);
        Assert.Contains("claims left if none verifies", html);
        var ledgerPage = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/ledger");
        Assert.Contains("Ledger Payers: findings (claim 1)", ledgerPage);
    }

    [Theory]
    [InlineData(null, "Enter the embargo as a whole number of days, from 0 to 365.")]
    [InlineData(-1, "The embargo must be from 0 to 365 days; -1 is not.")]
    [InlineData(366, "The embargo must be from 0 to 365 days; 366 is not.")]
    public void Embargo_OutsideZeroTo365_IsRefused(int? days, string message) =>
        Assert.Equal(message, DisclosureSettings.Check(days));

    [Fact]
    public async Task Embargo_IsSaved_WithAnAuditEvent_AndABadValueChangesNothing()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await CompetitionBuilder.New("Embargo").LikeDemo().OrganizedBy(organizerId).SaveAsync(db);
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();

        Assert.Null(await DisclosureSettings.SaveAsync(db, competition.Id, 0, organizerId, time));
        Assert.NotNull(await DisclosureSettings.SaveAsync(db, competition.Id, 400, organizerId, time));
        Assert.Null(await DisclosureSettings.SaveAsync(db, competition.Id, 365, organizerId, time));
        Assert.Null(await DisclosureSettings.SaveAsync(db, competition.Id, 365, organizerId, time)); // unchanged: no event

        await using var check = platform.Scope();
        var fresh = platform.NewDb(check);
        Assert.Equal(365, (await fresh.Competitions.SingleAsync(c => c.Id == competition.Id)).DisclosureEmbargoDays);
        var audit = await fresh.AuditEvents.Where(a => a.CompetitionId == competition.Id && a.Kind == AuditEvent.SettingsChanged).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["Disclosure embargo: 30 → 0 days.", "Disclosure embargo: 0 → 365 days."], audit.Select(a => a.Detail));
        Assert.All(audit, a => Assert.Equal(organizerId, a.ActorId));
    }

    [Fact]
    public async Task SettingsPage_ShowsTheEmbargo_ToTheOrganizer()
    {
        var admin = await SignedInClient.CreateAsync(platform, Roles.Admin);
        var html = await admin.GetStringAsync($"/organize/{DemoSeeder.Slug}/settings");
        Assert.Contains("data-testid=\"embargo-days\"", html);
        Assert.Contains("value=\"30\"", html);
        Assert.Contains("data-testid=\"save-settings\"", html);
    }
}
