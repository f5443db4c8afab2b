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
}
