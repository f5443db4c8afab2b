using BiasBounty.Web.Competitions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Organize;

public static class OrganizeExtensions
{
    /// <summary>The organizer pages (<c>/organize</c>): they need the competition-assembly service.</summary>
    public static IHostApplicationBuilder AddOrganizing(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddScoped<CompetitionAssembly>();
        return builder;
    }
}
