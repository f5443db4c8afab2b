using System.Net;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Tests.ServiceCards;
using BiasBounty.Web.Worker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace BiasBounty.Web.Tests.Competitions;

/// <summary>The one-file ONNX download of a published version, checked with ONNX Runtime alone against the platform's own predictions.</summary>
public sealed class ModelExportTests(PlatformFactory platform, ITestOutputHelper output) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task OnnxDownload_OfAVersionWithSeveralAcceptedFixes_PredictsEveryHoldoutRowAsThePlatformDoes()
    {
        var (competition, _) = await ImprovedModelArrange.SaveAsync(platform);
        var client = platform.CreateClient();

        var page = await client.GetStringAsync($"/competitions/{competition.Slug}");
        Assert.Contains($"competitions/{competition.Slug}/download/model.onnx", page);
        Assert.Contains($"competitions/{competition.Slug}/download/model.onnx", await client.GetStringAsync($"/competitions/{competition.Slug}/leaderboard"));

        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var stored = await db.Competitions.SingleAsync(c => c.Id == competition.Id);
        var runtime = await platform.Services.GetRequiredService<CompetitionRuntimeCache>().GetAsync(db, stored, CancellationToken.None);
        var holdout = runtime.Holdout.Data;
        var list = PointerDecisionList.FromJson(await db.DecisionListVersions.Where(v => v.CompetitionId == competition.Id)
            .OrderByDescending(v => v.Version).Select(v => v.ListJson).FirstAsync());
        Assert.Equal(3, list.Current.Number);

        foreach (var version in new int?[] { null, 1, 0 })
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var response = await client.GetAsync($"/competitions/{competition.Slug}/download/model.onnx" + (version is { } v ? $"?version={v}" : ""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            output.WriteLine($"version {version?.ToString() ?? "newest"}: compiled and served in {clock.ElapsedMilliseconds} ms");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"compiling on request took {clock.Elapsed}");
            var number = version ?? list.Current.Number;
            Assert.Equal($"{competition.Slug}-model-v{number}-single.onnx", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
            var predictions = RunWithOnnxRuntime(await response.Content.ReadAsByteArrayAsync(), holdout);
            var expected = list.HoldoutPredictions(number);
            Assert.Equal(expected.Length, predictions.Length);
            var differing = Enumerable.Range(0, expected.Length).Count(i => !expected[i].Equals(predictions[i]));
            Assert.True(differing == 0, $"version {number}: {differing} of {expected.Length} holdout rows differ");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/competitions/{competition.Slug}/download/model.onnx?version=4")).StatusCode);

        // Each kept export is weighed by the models it inlines (at least the base model, for each of the three versions).
        var baseModel = await db.StoredFiles.Where(f => f.CompetitionId == competition.Id && f.Kind == StoredFileKind.Model && f.ContentHash == list.BaseModelId)
            .Select(f => f.Content.Length).SingleAsync();
        Assert.InRange(platform.Services.GetRequiredService<ModelExport>().CachedBytes, 3L * baseModel, ModelExport.CacheBytes);
    }

    [Fact]
    public async Task OnnxDownload_IsRefused_ForAnEvaluationTableCompetition_AndThePageSaysSo()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await CompetitionBuilder.New("Speech").WithMetric(BiasBounty.Scoring.Engine.Metric.LossColumn).SaveAsync(db);
        db.DecisionListVersions.Add(new DecisionListVersion
        {
            CompetitionId = competition.Id, Version = 0, FeedbackLoss = 0.1,
            ListJson = $$"""{"format":"{{PointerDecisionList.FormatName}}","baseModelId":"{{PointerDecisionList.EvaluationTableModelId}}","holdoutHash":"x","nodes":[],"versions":[{"number":0,"nodeCount":0,"holdoutPredictions":""}]}""",
        });
        await db.SaveChangesAsync();
        var client = platform.CreateClient();

        var page = ParticipantArrange.Html(await client.GetStringAsync($"/competitions/{competition.Slug}"));
        Assert.Null(page.QuerySelector("[data-testid='download-model-onnx']"));
        Assert.Null(page.QuerySelector("[data-testid='download-model']"));
        Assert.Contains("no model", page.QuerySelector("[data-testid='no-model-export']")!.TextContent);

        Assert.DoesNotContain("download/model.onnx", await client.GetStringAsync($"/competitions/{competition.Slug}/leaderboard"));
        var response = await client.GetAsync($"/competitions/{competition.Slug}/download/model.onnx");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("evaluation table", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Plain ONNX Runtime, no BiasBounty code: one [N, 1] input per feature column, float (NaN = missing) or string ("" = missing).</summary>
    private static float[] RunWithOnnxRuntime(byte[] onnx, Dataset data)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new List<NamedOnnxValue>();
        foreach (var name in session.InputMetadata.Keys)
        {
            var column = data[name];
            inputs.Add(column switch
            {
                NumericColumn numeric => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(
                    Enumerable.Range(0, data.RowCount).Select(i => numeric.IsMissing(i) ? float.NaN : numeric.Values[i]).ToArray(), [data.RowCount, 1])),
                _ => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(
                    Enumerable.Range(0, data.RowCount).Select(i => column.FormatValue(i) ?? "").ToArray(), [data.RowCount, 1])),
            });
        }
        using var results = session.Run(inputs);
        return results.Single(r => r.Name == "prediction").AsEnumerable<float>().ToArray();
    }
}
