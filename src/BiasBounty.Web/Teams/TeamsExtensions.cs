using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Teams;

public static class TeamsExtensions
{
    public static IHostApplicationBuilder AddTeams(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TeamMembership>();
        return builder;
    }
}
