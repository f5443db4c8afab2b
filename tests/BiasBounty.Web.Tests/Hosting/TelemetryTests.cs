using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Tests.Infrastructure;

namespace BiasBounty.Web.Tests.Hosting;

public sealed class TelemetryTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task ScoringAFix_TracesEachStage_UnderOneRootSpan_AndCountsTheVerdict()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ScoringStages.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var id = await Arrange.DemoSubmissionAsync(platform, "Traced", Arrange.MarriedGroup, Arrange.MarriedFixModel);
        await platform.RunScoringJobAsync(id);

        var root = spans.Single(s => s.OperationName == "score submission" && Equals(s.GetTagItem("biasbounty.submission.id"), id));
        var stages = spans.Where(s => s.TraceId == root.TraceId && s != root).Select(s => s.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "score.load", "score.mask", "score.test", "score.fix", "score.decision", "score.save" }, stages);
        Assert.All(spans.Where(s => s.TraceId == root.TraceId && s != root), s => Assert.Equal(root.SpanId, s.ParentSpanId));

        var metrics = await ScrapeUntilAsync("outcome=\"fix_accepted\"");
        Assert.Matches("biasbounty_verdicts_total\\{[^}]*outcome=\"fix_accepted\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("biasbounty_scoring_stage_duration_seconds_count\\{[^}]*stage=\"fix\"[^}]*\\} [1-9]", metrics);
    }

    [Fact]
    public async Task Metrics_ShowTheQueueDepth_AndLeaderboardCacheHits()
    {
        var client = platform.CreateClient();
        var page = $"/competitions/{DemoSeeder.Slug}/leaderboard";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(page)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(page)).StatusCode);

        var metrics = await ScrapeUntilAsync("result=\"hit\"", () => client.GetAsync(page));

        Assert.Matches("(?m)^biasbounty_queue_depth(\\{[^}]*\\})? \\d+", metrics);
        Assert.Matches("(?m)^biasbounty_queue_processing(\\{[^}]*\\})? \\d+", metrics);
        Assert.Matches("biasbounty_leaderboard_cache_total\\{[^}]*result=\"hit\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("biasbounty_leaderboard_cache_total\\{[^}]*result=\"miss\"[^}]*\\} [1-9]", metrics);
    }

    [Fact]
    public async Task Metrics_NameNoHoldoutValueOrGroup()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Quiet", Arrange.MarriedGroup);
        await platform.RunScoringJobAsync(id);

        var metrics = await ScrapeAsync();

        Assert.DoesNotContain("Married", metrics);
        Assert.DoesNotContain("marital", metrics);
    }

    /// <summary>
    /// Scrapes until the text holds <paramref name="expected"/> (the exporter serves one collection for a few hundred
    /// milliseconds, and a cached page needs the leaderboard's version to settle), doing <paramref name="again"/> between tries.
    /// </summary>
    private async Task<string> ScrapeUntilAsync(string expected, Func<Task>? again = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string metrics;
        while (!(metrics = await ScrapeAsync()).Contains(expected, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            if (again is not null) await again();
            await Task.Delay(250);
        }
        return metrics;
    }

    /// <summary>The Prometheus text.</summary>
    private async Task<string> ScrapeAsync()
    {
        var response = await platform.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
