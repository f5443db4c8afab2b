using BiasBounty.Web.Competitions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Organize;

public static class OrganizeExtensions
{
    /// <summary>The organizer pages (<c>/organize</c>): they need the competition-assembly and holdout-refresh and system-version services.</summary>
    public static IHostApplicationBuilder AddOrganizing(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddScoped<CompetitionAssembly>();
        builder.Services.TryAddScoped<HoldoutRefresh>();
        builder.Services.TryAddScoped<SystemVersionPublishing>();
        return builder;
    }
}
