using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Tests.Leaderboard;
using BiasBounty.Web.Worker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.ServiceCards;

/// <summary>
/// A copy of the demo competition whose model has several accepted fixes (and the repairs they needed), applied by the
/// engine on the competition's own holdout as the scoring job applies an accepted fix, each credited to a team's
/// scored submission: a real decision list, with real fix models stored beside it.
/// </summary>
public static class ImprovedModelArrange
{
    /// <summary>Groups and fixes: gradient-boosted trees on the married group, a baseline on older non-private workers, and a
    /// fix trained on the opposite labels for a wide group, which makes the repair rule restore the earlier groups.</summary>
    private static readonly Lazy<(string Group, string Team, byte[] Model)[]> Fixes = new(() =>
    {
        var data = CsvDatasetLoader.Load(Path.Combine(DemoSeeder.DataFolder(null, AppContext.BaseDirectory), "adult.data.gz"));
        var label = LabelDomain.Of(data);
        int[] Rows(string group) => SubgroupExpression.Compile(group, data).Evaluate(data).ToIndices();
        const string older = "age >= 50 and workclass != \"Private\"";
        const string wide = "hours-per-week >= 40 or occupation is missing";
        return
        [
            (Arrange.MarriedGroup, "Married Menders", Arrange.MarriedFixModel),
            (older, "Elder Auditors", GradientBoostedTreesTrainer.Train(data, label, Rows(older)).ToOnnx()),
            (wide, "Wide Brush", GradientBoostedTreesTrainer.Train(data, label.Encode(data).Select(y => 1f - y).ToArray(), classification: true, Rows(wide)).ToOnnx()),
        ];
    });

    /// <summary>The competition (organized by <paramref name="organizerId"/>) at version 3, and the teams credited with the fixes.</summary>
    public static async Task<(Competition Competition, string[] Teams)> SaveAsync(PlatformFactory platform, string? organizerId = null)
    {
        await using var scope = platform.Scope();
        var competition = await CompetitionBuilder.New("Improved").OrganizedBy(organizerId).SaveWithDemoDataAsync(scope);
        var db = platform.NewDb(scope);
        var arrange = new LeaderboardArrange(db, competition);
        var settings = competition.ScoringSettings();
        var (runtime, exclusive) = await platform.Services.GetRequiredService<CompetitionRuntimeCache>().AcquireAsync(db, competition, CancellationToken.None);
        using (exclusive)
        {
            var list = PointerDecisionList.FromJson(await db.DecisionListVersions.Where(v => v.CompetitionId == competition.Id).Select(v => v.ListJson).SingleAsync());
            await CompetitionRuntimeCache.EnsureModelsAsync(db, competition.Id, runtime, list, CancellationToken.None);
            var holdout = runtime.Holdout;
            foreach (var (group, teamName, model) in Fixes.Value)
            {
                var team = await arrange.TeamAsync(teamName);
                var submission = await arrange.ScoredAsync(team, group, verified: true, fix: true, points: 1);
                var g = GroupRef.FromExpression(SubgroupExpression.Compile(group, holdout.Data).Canonical);
                var rows = runtime.Catalog.Members(g, holdout.Data);
                var id = runtime.Catalog.AddOnnx(model, ModelRole.Predictor);
                if (!await db.StoredFiles.AnyAsync(f => f.CompetitionId == competition.Id && f.ContentHash == id))
                    db.StoredFiles.Add(StoredFile.Create(competition.Id, StoredFileKind.Model, $"fix-{teamName}.onnx", model));
                list = list.ApplyUpdate(g, rows, id, runtime.Catalog.Predictor(id).Predict(holdout.Data, rows.ToIndices()), submission.Id.ToString(),
                    holdout, settings.Metric, settings.CertificateThreshold, settings.LossCap, runtime.Catalog).List;
                db.DecisionListVersions.Add(new DecisionListVersion
                {
                    CompetitionId = competition.Id, Version = list.Current.Number, ListJson = list.ToJson(), SubmissionId = submission.Id,
                    FeedbackLoss = CompetitionData.FeedbackLoss(list, holdout, settings),
                });
                await db.SaveChangesAsync();
            }
            Assert.Contains(list.Nodes, n => n is RepairNode);
        }
        await arrange.BumpAsync();
        return (competition, Fixes.Value.Select(f => f.Team).ToArray());
    }
}
