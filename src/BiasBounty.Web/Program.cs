using BiasBounty.Web.Accounts;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Leaderboard;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Scoring;

var builder = WebApplication.CreateBuilder(args);

builder.AddWebUi();
builder.AddPersistence();
builder.AddIdentityServices();
builder.AddScoringWorker();
builder.AddLeaderboard();
builder.AddDemo();
builder.AddOrganizing();

var app = builder.Build();

await app.PrepareDatabaseAsync();
app.UseWebUi();
app.Run();

public partial class Program;
