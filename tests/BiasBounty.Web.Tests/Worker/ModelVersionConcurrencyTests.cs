using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Worker;

public sealed class ModelVersionConcurrencyTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task TwoJobsAtOnce_NeverBothAdvanceTheSameVersion_TheSecondIsJudgedAgainstTheNewest()
    {
        // The same group written two ways: both fixes would be accepted against version 0. Serialised, the second is
        // judged against version 1 and answered as a duplicate.
        var first = await Arrange.DemoSubmissionAsync(platform, "Red", Arrange.MarriedGroup, Arrange.MarriedFixModel);
        var second = await Arrange.DemoSubmissionAsync(platform, "Blue", "marital-status in (\"Married-civ-spouse\")", Arrange.MarriedFixModel);

        await Task.WhenAll(platform.RunScoringJobAsync(first), platform.RunScoringJobAsync(second));

        await using var check = platform.Scope();
        var db2 = platform.NewDb(check);
        var scores = await db2.Scores.Where(s => s.SubmissionId == first || s.SubmissionId == second).ToListAsync();
        Assert.Equal(2, scores.Count);
        Assert.Single(scores, s => s.FixAccepted);
        var other = Assert.Single(scores, s => !s.FixAccepted);
        Assert.Equal(ScoreStatus.Duplicate, other.Status);
        Assert.Equal(1, other.ModelVersion);
        var competitionId = scores[0].CompetitionId;
        Assert.Equal([0, 1], await db2.DecisionListVersions.Where(v => v.CompetitionId == competitionId).OrderBy(v => v.Version).Select(v => v.Version).ToListAsync());
        Assert.All(await db2.Submissions.Where(s => s.Id == first || s.Id == second).ToListAsync(), s => Assert.Equal(SubmissionState.Scored, s.State));
    }

    [Fact]
    public async Task ModelVersions_AreUniquePerCompetition()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await Arrange.DemoCompetitionAsync(db);
        var v0 = await db.DecisionListVersions.AsNoTracking().FirstAsync(v => v.CompetitionId == competition.Id && v.Version == 0);
        db.DecisionListVersions.Add(new DecisionListVersion { CompetitionId = competition.Id, Version = 0, ListJson = v0.ListJson });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}
