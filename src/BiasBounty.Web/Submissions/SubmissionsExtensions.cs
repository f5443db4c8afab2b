using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Teams;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Submissions;

public static class SubmissionsExtensions
{
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SubmitEntry>();
        builder.Services.AddScoped<SubmissionStatusQuery>();
        builder.Services.AddScoped<IStartupStep, ExpressionFormBackfill>(); // rows stored before the canonical form was kept
        return builder;
    }
}
