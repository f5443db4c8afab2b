using BiasBounty.Web.Accounts;
using BiasBounty.Web.Api;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Components;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Deployers;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Leaderboard;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.ServiceCards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using BiasBounty.Web.Worker;

// First: started as a model host (a participant's model run apart from this process), do only that.
if (BiasBounty.Scoring.Models.ModelHost.RunIfRequested(args, typeof(Program).Assembly) is { } hostExit) return hostExit;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformHosting();
builder.AddWebUi();
builder.AddPersistence();
builder.AddIdentityServices();
builder.AddScoringWorker();
builder.AddLeaderboard();
builder.AddCompetitionPages();
builder.AddTeams();
builder.AddSubmissions();
builder.AddDemo();
builder.AddOrganizing();
builder.AddNotifications();
builder.AddRewards();
builder.AddReview();
builder.AddServiceCards();
builder.AddApi();
builder.AddDeployers();

var app = builder.Build();

await app.PrepareDatabaseAsync();
app.UsePlatformHosting();
app.UseWebUi();
app.MapAccountEndpoints();
app.MapScoringDashboard();
app.UseLeaderboard();
app.MapCompetitionDownloads();
app.MapRewards();
app.MapDeployers();
app.MapReviewExports();
app.MapServiceCards();
app.MapApi();
app.Run();
return 0;

public partial class Program;
