using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Demo;

/// <summary>The platform with <c>BiasBounty:Demo:AcsGeorgia</c> on (as deploy/faults.sh <c>--dataset acs-ga</c> runs it).</summary>
public sealed class AcsGeorgiaPlatform : PlatformFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("BiasBounty:Demo:AcsGeorgia", "true");
    }
}

/// <summary>The optional ACS Georgia demo: seeded only when asked for, split into a public part and a holdout, scored.</summary>
public sealed class AcsGeorgiaDemoTests(AcsGeorgiaPlatform platform) : IClassFixture<AcsGeorgiaPlatform>
{
    [Fact]
    public async Task AcsGeorgia_IsSeeded_SplitIntoAPublicPartAndAHoldout_WithABaseline()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await db.Competitions.Include(c => c.TrainingFile).Include(c => c.HoldoutFile).SingleAsync(c => c.Slug == AcsGeorgiaDemo.Slug);

        Assert.Equal("PINCP", competition.LabelColumn);
        Assert.True(competition.Metric.Definition().AllowsFix);
        var training = CompetitionData.LoadDataset(competition.TrainingFile!.Content, competition.TrainingFile.LoadSchemaJson);
        var holdout = CompetitionData.LoadDataset(competition.HoldoutFile!.Content, competition.HoldoutFile.LoadSchemaJson);
        Assert.Equal(50_915, training.RowCount + holdout.RowCount); // every row of the extract, on one side only
        Assert.InRange(training.RowCount, 33_900, 34_000);
        var version0 = await db.DecisionListVersions.SingleAsync(v => v.CompetitionId == competition.Id && v.Version == 0);
        Assert.InRange(version0.FeedbackLoss, 0.1, 0.35); // a logistic baseline's error rate on ACS income
        Assert.True(await db.Competitions.AnyAsync(c => c.Slug == DemoSeeder.Slug)); // beside the Adult demo, not instead of it
    }

    [Fact]
    public async Task AFindingOnOlderWomen_IsScored()
    {
        await using var scope = platform.Scope();
        var user = await Arrange.UserAsync(platform.NewDb(scope), "Census Reader");
        var result = await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
            .SubmitAsync(new SubmitRequest(AcsGeorgiaDemo.Slug, user.Id, "SEX == 2 and AGEP >= 60", null, null));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));

        var submission = await Arrange.FinishedAsync(platform, result.SubmissionId!.Value);

        Assert.Equal(SubmissionState.Scored, submission.State);
        var score = await platform.NewDb(scope).Scores.SingleAsync(s => s.SubmissionId == submission.Id);
        Assert.True(score.Record.GroupRows > 100);
    }
}

/// <summary>Without the setting, the demo seeds Adult and speech only (deploy/run.sh and the test suites are unchanged).</summary>
public sealed class AcsGeorgiaDemoOffTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task AcsGeorgia_IsNotSeeded_ByDefault()
    {
        Assert.False(new DemoOptions().AcsGeorgia);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        Assert.True(await db.Competitions.AnyAsync(c => c.Slug == DemoSeeder.Slug));
        Assert.False(await db.Competitions.AnyAsync(c => c.Slug == AcsGeorgiaDemo.Slug));
    }
}
