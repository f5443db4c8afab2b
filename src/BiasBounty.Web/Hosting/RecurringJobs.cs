using System.Linq.Expressions;
using Hangfire;

namespace BiasBounty.Web.Hosting;

public static class RecurringJobs
{
    /// <summary>
    /// Schedules <typeparamref name="TJob"/> as a Hangfire recurring job at start-up, updated in place on every start so a
    /// changed schedule takes effect. Every role may schedule; only worker roles run it. Tests set the schedule to
    /// <see cref="Cron.Never"/> and run the job themselves.
    /// </summary>
    public static IServiceCollection AddRecurringJob<TJob>(this IServiceCollection services, string id,
        Expression<Func<TJob, Task>> run, Func<IServiceProvider, string> schedule) where TJob : class
    {
        services.AddScoped<TJob>();
        services.AddScoped<IStartupStep>(provider =>
            new ScheduleStep<TJob>(provider.GetRequiredService<IRecurringJobManager>(), id, run, schedule(provider)));
        return services;
    }

    private sealed class ScheduleStep<TJob>(IRecurringJobManager recurring, string id, Expression<Func<TJob, Task>> run, string cron) : IStartupStep
    {
        public Task RunAsync(CancellationToken ct)
        {
            recurring.AddOrUpdate(id, run, cron);
            return Task.CompletedTask;
        }
    }
}
