using System.Net;
using BiasBounty.Web.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BiasBounty.Web.Tests.Hosting;

public sealed class WebRolePlatform : PlatformFactory
{
    public override string Role => "web";
    public override bool Demo => false;
}

public sealed class WorkerRolePlatform : PlatformFactory
{
    public override string Role => "worker";
    public override bool Demo => false;
}

public sealed class WebRoleTests(WebRolePlatform platform) : IClassFixture<WebRolePlatform>
{
    [Fact]
    public async Task WebRole_ServesPages_AndStartsNoJobServer()
    {
        Assert.Equal(HttpStatusCode.OK, (await platform.CreateClient().GetAsync("/")).StatusCode);
        Assert.DoesNotContain(platform.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("BackgroundJobServer"));
        Assert.Empty(platform.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers());
    }

    [Fact]
    public async Task WebRole_IsReady_WithoutAWorkerHeartbeatCheck()
    {
        var client = platform.CreateClient();

        var ready = await client.GetAsync("/healthz/ready");
        var checks = await HealthBody.ChecksAsync(ready);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(["database", "job-storage", "migrations"], checks.Keys.Order());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
    }
}

public sealed class WorkerRoleTests(WorkerRolePlatform platform) : IClassFixture<WorkerRolePlatform>
{
    [Fact]
    public async Task WorkerRole_RunsAJobServer_AndServesNoPages()
    {
        var client = platform.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Account/Login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Contains(platform.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("BackgroundJobServer"));
    }

    [Fact]
    public async Task WorkerRole_IsReady_OnceItsJobServerBeats()
    {
        var client = platform.CreateClient();

        // The server registers a moment after start-up; ready waits for it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage ready;
        while ((ready = await client.GetAsync("/healthz/ready")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        var checks = await HealthBody.ChecksAsync(ready);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", checks["worker-heartbeat"]);
        // A worker serves no pages, but Prometheus scrapes it like any role.
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("biasbounty_queue_depth", metrics);
        Assert.Contains("biasbounty_role=\"worker\"", metrics);
        Assert.Equal(["database", "job-storage", "migrations", "worker-heartbeat"], checks.Keys.Order());
    }
}

/// <summary>Reads <c>/healthz/ready</c>'s JSON: check name → status.</summary>
internal static class HealthBody
{
    public static async Task<Dictionary<string, string>> ChecksAsync(HttpResponseMessage response)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("status").GetString()!);
    }
}
