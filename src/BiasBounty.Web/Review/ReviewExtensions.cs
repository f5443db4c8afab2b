using System.Globalization;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Review;

public static class ReviewExtensions
{
    public static IHostApplicationBuilder AddReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TriageService>();
        builder.Services.AddScoped<AuditLogQuery>();
        builder.Services.AddScoped<ReviewQueries>();
        builder.AddValidatedOptions<ReviewOptions>(ReviewOptions.Section);
        builder.Services.AddRecurringJob<DisclosureNoticeJob>(DisclosureNoticeJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            provider => provider.GetRequiredService<IOptions<ReviewOptions>>().Value.DisclosureNoticeSchedule);
        return builder;
    }
}
