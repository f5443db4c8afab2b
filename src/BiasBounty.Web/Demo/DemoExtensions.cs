using System.Security.Cryptography;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Demo;

public static class DemoExtensions
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<DemoOptions>(DemoOptions.Section);
        builder.Services.TryAddScoped<CompetitionAssembly>();
        builder.Services.AddScoped<IStartupStep, DemoSeeder>();
        builder.Services.AddScoped<IStartupStep, LoadTestSeeder>(); // after the demo seeder; does nothing unless enabled
        return builder;
    }
}
