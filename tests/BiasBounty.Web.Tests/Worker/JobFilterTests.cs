using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using BiasBounty.Web.Worker;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BiasBounty.Web.Tests.Worker;

/// <summary>
/// Hangfire's global filters the platform does not use are off (WorkerExtensions.WithoutUnusedJobFilters): a scoring
/// job writes no culture parameters and no per-day statistics, and still reaches Succeeded.
/// </summary>
public sealed class JobFilterTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task AScoringJob_IsScored_WithoutCultureParametersOrDailyStatistics()
    {
        var id = await Arrange.DemoSubmissionAsync(platform, "Job Filters", "age >= 63");
        await using (var scope = platform.Scope())
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<IScoringQueue>().EnqueueAsync(id));

        var submission = await Arrange.FinishedAsync(platform, id, TimeSpan.FromSeconds(60));
        await DeadWorker.WaitForAsync(() => DeadWorker.StateOf(platform, submission.ScoringJobId!) == SucceededState.StateName, TimeSpan.FromSeconds(15));

        Assert.Equal(SubmissionState.Scored, submission.State);
        await using var connection = new NpgsqlConnection(platform.ConnectionString);
        await connection.OpenAsync();
        await using var parameters = new NpgsqlCommand(
            "SELECT COUNT(*) FROM hangfire.jobparameter WHERE jobid = @job AND name IN ('CurrentCulture', 'CurrentUICulture')", connection);
        parameters.Parameters.AddWithValue("job", long.Parse(submission.ScoringJobId!));
        Assert.Equal(0L, (long)(await parameters.ExecuteScalarAsync())!);
        await using var daily = new NpgsqlCommand(
            "SELECT (SELECT COUNT(*) FROM hangfire.counter WHERE key LIKE 'stats:succeeded:%') + (SELECT COUNT(*) FROM hangfire.aggregatedcounter WHERE key LIKE 'stats:succeeded:%')",
            connection);
        Assert.Equal(0L, (long)(await daily.ExecuteScalarAsync())!);
    }
}
