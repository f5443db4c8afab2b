using System.Net;
using System.Text.Json;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace BiasBounty.Web.Tests.Hosting;

/// <summary>
/// The platform in Production (as deploy/run.sh runs it), its database reached through a relay that the tests cut to
/// take PostgreSQL away after start-up (migrations need it at start).
/// </summary>
public sealed class OutagePlatform : PlatformFactory
{
    public OutagePlatform()
    {
        var upstream = new NpgsqlConnectionStringBuilder(ConnectionString);
        Relay = new PostgresOutageRelay(upstream.Host!, upstream.Port);
        RelayedConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Host = "127.0.0.1", Port = Relay.Port, Timeout = 3, CommandTimeout = 5,
        }.ConnectionString;
    }

    public PostgresOutageRelay Relay { get; }

    public string RelayedConnectionString { get; }

    public override bool Demo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:BiasBounty", RelayedConnectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        Relay.Restore(); // let the host stop cleanly
        await base.DisposeAsync();
        await Relay.DisposeAsync();
    }
}

public sealed class DatabaseOutageTests(OutagePlatform platform) : IClassFixture<OutagePlatform>, IDisposable
{
    /// <summary>What an answer during an outage must never contain.</summary>
    private string[] Secrets =>
        ["127.0.0.1", platform.Relay.Port.ToString(), "Npgsql", "Exception", "at BiasBounty", "Host=", "Password", "Username", "postgres"];

    public void Dispose() => platform.Relay.Restore();

    [Fact]
    public async Task Healthz_IsUnhealthy503_WhileTheDatabaseIsDown_AndHealthyWhenItIsBack()
    {
        var client = platform.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        platform.Relay.Cut();
        var down = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        var body = await down.Content.ReadAsStringAsync();
        Assert.Equal("Unhealthy", body);

        platform.Relay.Restore();
        await EventuallyAsync(async () => (await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task Probes_LiveStaysUp_ReadyIs503NamingTheDatabase_WhileItIsDown()
    {
        var client = platform.CreateClient();
        platform.Relay.Cut();

        var live = await client.GetAsync("/healthz/live");
        var ready = await client.GetAsync("/healthz/ready");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", (await HealthBody.ChecksAsync(ready))["database"]);
        Assert.Contains("the database did not answer", body);
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, body));

        platform.Relay.Restore();
        await EventuallyAsync(async () => (await client.GetAsync("/healthz/ready")).StatusCode == HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/competitions/no-cache-{0}/leaderboard")]
    [InlineData("/competitions/no-cache-{0}")]
    public async Task Pages_AnswerAFriendly503_WithRetryAfter_AndNoDetails(string path)
    {
        var client = platform.CreateClient();
        platform.Relay.Cut();

        var response = await client.GetAsync(string.Format(path, Guid.NewGuid().ToString("N")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(DatabaseOutage.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("temporarily unavailable", html);
        AssertNamesNothing(html);
        AssertNamesNothing(string.Join("\n", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
    }

    [Fact]
    public async Task LeaderboardApi_Answers503ProblemDetails_WithRetryAfter_AndNoDetails()
    {
        var client = platform.CreateClient();
        platform.Relay.Cut();

        var response = await client.GetAsync($"/api/v1/competitions/no-cache-{Guid.NewGuid():N}/leaderboard");

        await AssertApiOutageAsync(response);
    }

    [Fact]
    public async Task ApiSubmit_Answers503ProblemDetails_WithRetryAfter_AndNoDetails()
    {
        var client = platform.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", $"bb_{new string('a', 12)}_{new string('b', 64)}");
        platform.Relay.Cut();

        using var form = new MultipartFormDataContent { { new StringContent("age >= 60"), "expression" } };
        var response = await client.PostAsync("/api/v1/competitions/adult-income/submissions", form);

        await AssertApiOutageAsync(response);
    }

    [Fact]
    public async Task AfterTheOutage_PagesWorkAgain()
    {
        var client = platform.CreateClient();
        platform.Relay.Cut();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/")).StatusCode);

        platform.Relay.Restore();

        await EventuallyAsync(async () => (await client.GetAsync("/")).StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public void OutageClassification_CoversTheWaysEfAndNpgsqlReportIt_AndNothingElse()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        var poolTimeout = new NpgsqlException("The connection pool has been exhausted", new TimeoutException());
        var shutdown = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown);
        var starting = new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow);
        Assert.True(DatabaseOutage.IsOutage(refused));
        Assert.True(DatabaseOutage.IsOutage(poolTimeout));
        Assert.True(DatabaseOutage.IsOutage(shutdown));
        Assert.True(DatabaseOutage.IsOutage(starting));
        Assert.True(DatabaseOutage.IsOutage(new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", refused)));
        Assert.True(DatabaseOutage.IsOutage(new Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException("retries", shutdown)));
        Assert.True(DatabaseOutage.IsOutage(new AggregateException(new InvalidOperationException(), starting)));

        Assert.False(DatabaseOutage.IsOutage(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.False(DatabaseOutage.IsOutage(new PostgresException("syntax error", "ERROR", "ERROR", PostgresErrorCodes.SyntaxError)));
        Assert.False(DatabaseOutage.IsOutage(new InvalidOperationException("Sequence contains no elements")));
        Assert.False(DatabaseOutage.IsOutage(new TimeoutException("not the database's")));
    }

    private async Task AssertApiOutageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(DatabaseOutage.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        AssertNamesNothing(body);
        AssertNamesNothing(string.Join("\n", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(DatabaseOutage.Title, problem.GetProperty("title").GetString());
        Assert.Equal(DatabaseOutage.Detail, problem.GetProperty("detail").GetString());
    }

    private void AssertNamesNothing(string text)
    {
        foreach (var secret in Secrets) Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the platform did not recover within 30 s of the database's return");
            await Task.Delay(250);
        }
    }
}
