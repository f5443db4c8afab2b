using System.IO.Compression;
using System.Text.Json;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Competitions;

public static class CompetitionsExtensions
{
    /// <summary>The public competition page's services: the parsed public training data, cached by content hash.</summary>
    public static IHostApplicationBuilder AddCompetitionPages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.TryAddSingleton<PublicDataCache>();
        builder.Services.TryAddSingleton<ModelExport>();
        return builder;
    }
}
