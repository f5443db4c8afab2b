using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Worker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Worker;

/// <summary>
/// The scoring job drafts a decision without the competition's lock and writes it under the lock only if what it
/// depends on has not moved; these make something move in between (ScoreSubmissionJob.AfterDraft) and check the verdict
/// is the one a decision made entirely under the lock would give.
/// </summary>
public sealed class DraftedDecisionTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task FixAcceptedBetweenDraftAndWrite_TheFindingIsTestedAgainstTheNewVersion()
    {
        var finding = await Arrange.DemoSubmissionAsync(platform, "Draft Red", "marital-status == \"Married-civ-spouse\" and age > 30");
        var fix = await Arrange.DemoSubmissionAsync(platform, "Draft Blue", Arrange.MarriedGroup, Arrange.MarriedFixModel);

        await RunWithAsync(finding, afterDraft: () => platform.RunScoringJobAsync(fix));

        var (fixScore, findingScore) = (await ScoreAsync(fix), await ScoreAsync(finding));
        Assert.True(fixScore.FixAccepted, string.Join("; ", fixScore.Record.Fix?.Reasons ?? []));
        var accepted = fixScore.Record.Fix!.NewVersion!.Value;
        // Drafted against the version before the fix; written against the fix's version, so tested again on it.
        Assert.Equal(accepted, findingScore.ModelVersion);
        Assert.Equal(accepted, findingScore.Record.Provenance.ModelVersion);
        Assert.Equal(ScoreStatus.Scored, findingScore.Status);
    }

    [Fact]
    public async Task AnotherTeamsFindingDecidedMeanwhile_TheDraftStands_AndBothTeamsLedgersAreKept()
    {
        var first = await Arrange.DemoSubmissionAsync(platform, "Draft Green", "age > 47");
        var second = await Arrange.DemoSubmissionAsync(platform, "Draft Yellow", "hours-per-week >= 52");

        await RunWithAsync(first, afterDraft: () => platform.RunScoringJobAsync(second));

        var (a, b) = (await ScoreAsync(first), await ScoreAsync(second));
        Assert.Equal(ScoreStatus.Scored, a.Status);
        Assert.Equal(ScoreStatus.Scored, b.Status);
        Assert.Equal(b.ModelVersion, a.ModelVersion);
        var ledgers = await LedgersAsync(a.CompetitionId);
        // Writing the draft's ledgers whole would have lost the other team's test, decided after the draft was read.
        Assert.Equal(1, ledgers.For(a.TeamId.ToString()).Findings.TestsRun);
        Assert.Equal(1, ledgers.For(b.TeamId.ToString()).Findings.TestsRun);
    }

    [Fact]
    public async Task TheTeamsOwnClaimDecidedMeanwhile_TheDraftIsTestedAgainAtTheTeamsNextLevel()
    {
        Guid first, second;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var competition = await Arrange.DemoCompetitionAsync(db);
            var (user, team) = await Arrange.TeamAsync(db, competition.Id, "Draft Violet");
            first = (await Arrange.SubmissionAsync(db, competition, user, team, "age < 26")).Id;
            second = (await Arrange.SubmissionAsync(db, competition, user, team, "sex == \"Female\" and age > 50")).Id;
        }

        await RunWithAsync(first, afterDraft: () => platform.RunScoringJobAsync(second));

        var (a, b) = (await ScoreAsync(first), await ScoreAsync(second));
        var ledgers = await LedgersAsync(a.CompetitionId);
        Assert.Equal(2, ledgers.For(a.TeamId.ToString()).Findings.TestsRun);
        // The second claim was tested first, so the first is tested at the level the team's ledger moved to.
        var fresh = LedgerPair.Start(ledgers.Findings.FdrAlpha).Findings;
        Assert.Equal(fresh.NextLevel, b.Record.Provenance.FindingLevelBefore);
        Assert.Equal(fresh.Record(b.Record.FindingVerified).NextLevel, a.Record.Provenance.FindingLevelBefore);
    }

    [Fact]
    public async Task TheSameRowsAnsweredFirstMeanwhile_TheDraftBecomesADuplicate()
    {
        var late = await Arrange.DemoSubmissionAsync(platform, "Draft Orange", "education-num >= 14");
        var early = await Arrange.DemoSubmissionAsync(platform, "Draft Pink", "education-num > 13");

        await RunWithAsync(late, afterDraft: () => platform.RunScoringJobAsync(early));

        Assert.Equal(ScoreStatus.Scored, (await ScoreAsync(early)).Status);
        Assert.Equal(ScoreStatus.Duplicate, (await ScoreAsync(late)).Status);
    }

    [Fact]
    public async Task ManyFindingsAtOnce_EachGetsOneVerdict_OneScoredPerGroup_AndEveryTeamsTestCounts()
    {
        string[] groups = ["age > 60", "age > 60", "hours-per-week < 25", "hours-per-week <= 24", "race == \"Black\"", "race == \"Black\""];
        var ids = new List<Guid>();
        for (var i = 0; i < groups.Length; i++) ids.Add(await Arrange.DemoSubmissionAsync(platform, $"Draft Crowd {i}", groups[i]));

        await Task.WhenAll(ids.Select(platform.RunScoringJobAsync));

        var scores = await Task.WhenAll(ids.Select(ScoreAsync));
        Assert.Equal(3, scores.Count(s => s.Status == ScoreStatus.Scored));
        Assert.Equal(3, scores.Count(s => s.Status == ScoreStatus.Duplicate));
        Assert.Equal(3, scores.Select(s => s.MaskHash).Distinct().Count());
        var ledgers = await LedgersAsync(scores[0].CompetitionId);
        // Duplicates are answered without a test; every scored one was paid for by its own team.
        Assert.All(scores, s => Assert.Equal(s.Status == ScoreStatus.Scored ? 1 : 0, ledgers.For(s.TeamId.ToString()).Findings.TestsRun));
    }

    private async Task RunWithAsync(Guid submissionId, Func<Task> afterDraft)
    {
        await using var scope = platform.Scope();
        var job = scope.ServiceProvider.GetRequiredService<ScoreSubmissionJob>();
        job.AfterDraft = afterDraft;
        await job.RunAsync(submissionId, CancellationToken.None);
    }

    private async Task<SubmissionScore> ScoreAsync(Guid submissionId)
    {
        await using var scope = platform.Scope();
        return await platform.NewDb(scope).Scores.AsNoTracking().SingleAsync(s => s.SubmissionId == submissionId);
    }

    private async Task<Ledgers> LedgersAsync(Guid competitionId)
    {
        await using var scope = platform.Scope();
        return await platform.NewDb(scope).Ledgers.AsNoTracking().Where(l => l.CompetitionId == competitionId).Select(l => l.Ledgers).SingleAsync();
    }
}
