using System.Security.Cryptography;
using System.Text.Json;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Demo;

/// <summary>
/// On an empty database: the demo competition on UCI Adult (adult.data public, adult.test the hidden holdout), with a
/// logistic baseline trained now as version 0, and an organizer whose one-time password is printed to the console.
/// </summary>
public sealed class DemoSeeder(
    ApplicationDbContext db, UserManager<ApplicationUser> users, IOptions<DemoOptions> options, IHostEnvironment environment,
    TimeProvider time, ILogger<DemoSeeder> log) : IStartupStep
{
    public const string Slug = "adult-income";

    public async Task RunAsync(CancellationToken ct)
    {
        var demo = options.Value;
        if (!(demo.Enabled ?? environment.IsDevelopment())) return;
        if (await db.Competitions.AnyAsync(ct)) return;

        var folder = DataFolder(demo.DataDirectory, environment.ContentRootPath);
        log.LogInformation("Seeding the demo competition from {Folder}; training the baseline model", folder);
        await SeedCompetitionAsync(folder, ct);
        await SeedOrganizerAsync(demo.OrganizerEmail);
    }

    private async Task SeedCompetitionAsync(string folder, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var settings = new CompetitionSettings();
        var training = ReadDataFile(folder, "adult.data.gz");
        var holdoutFile = ReadDataFile(folder, "adult.test.gz");
        var trainingData = CompetitionData.LoadDataset(training.Content, training.Schema);
        var schema = trainingData.Schema;
        var competition = new Competition
        {
            Name = "Adult income (UCI demo)",
            Slug = Slug,
            DescriptionMarkdown = """
                Find groups of people on which the baseline income classifier errs more often than on everyone else,
                and propose fixes. Training data: UCI Adult (`adult.data`); the hidden holdout is `adult.test`.
                """,
            OpensAt = now,
            ClosesAt = now.AddDays(90),
            Metric = settings.Metric,
            Settings = settings,
            SplitSeed = settings.SplitSeed,
            RewardPool = 1000m,
            Status = CompetitionStatus.Open,
            LabelColumn = schema.LabelColumn!,
            PositiveClass = schema.PositiveClass,
            SchemaJson = JsonSerializer.Serialize(schema, SchemaFile.Json),
            CreatedAt = now,
        };
        var trainingStored = StoredFile.Create(competition.Id, StoredFileKind.Training, "adult.data.gz", training.Content, training.Schema);
        var holdoutStored = StoredFile.Create(competition.Id, StoredFileKind.Holdout, "adult.test.gz", holdoutFile.Content, holdoutFile.Schema);

        var baseline = LogisticRegressionTrainer.Train(trainingData, LabelDomain.Of(trainingData)).ToOnnx();
        var modelStored = StoredFile.Create(competition.Id, StoredFileKind.Model, "baseline.onnx", baseline);

        var holdout = Holdout.Create(CompetitionData.LoadDataset(holdoutFile.Content, holdoutFile.Schema), settings.FeedbackShare, settings.SplitSeed, holdoutStored.ContentHash);
        using var catalog = new ModelCatalog(holdout.Data.Schema, holdout.Label, new ModelLimits(settings.MaxModelBytes));
        var baseId = catalog.AddOnnx(baseline, ModelRole.Predictor, holdout.Data.SelectRows(Enumerable.Range(0, OnnxModel.SmokeRows).ToArray()));
        var list = PointerDecisionList.Create(baseId, holdout, catalog);

        db.Competitions.Add(competition);
        db.StoredFiles.AddRange(trainingStored, holdoutStored, modelStored);
        await db.SaveChangesAsync(ct); // the files first: the competition points at them and they at it
        competition.TrainingFileId = trainingStored.Id;
        competition.HoldoutFileId = holdoutStored.Id;
        db.DecisionListVersions.Add(new DecisionListVersion
        {
            CompetitionId = competition.Id, Version = 0, ListJson = list.ToJson(), CreatedAt = now,
            FeedbackLoss = CompetitionData.FeedbackLoss(list, holdout, settings),
        });
        db.Ledgers.Add(new CompetitionLedger { CompetitionId = competition.Id, Ledgers = Ledgers.Start(settings.FdrAlpha), UpdatedAt = now });
        await db.SaveChangesAsync(ct);
    }

    private async Task SeedOrganizerAsync(string email)
    {
        if (await users.FindByEmailAsync(email) is not null) return;
        var password = OneTimePassword();
        var organizer = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Demo organizer" };
        var created = await users.CreateAsync(organizer, password);
        if (!created.Succeeded) throw new InvalidOperationException("could not create the demo organizer: " + string.Join("; ", created.Errors.Select(e => e.Description)));
        await users.AddToRolesAsync(organizer, [Roles.Organizer, Roles.Participant]);
        // To the console only, never to the log: this is the one time the password is shown.
        Console.WriteLine();
        Console.WriteLine($"  Demo organizer account: {email}");
        Console.WriteLine($"  One-time password:      {password}   (shown once; change it under Account → Manage)");
        Console.WriteLine();
    }

    /// <summary>A random password that meets Identity's default rules (upper, lower, digit, symbol, length).</summary>
    private static string OneTimePassword() =>
        RandomNumberGenerator.GetString("ABCDEFGHJKMNPQRSTUVWXYZ", 4) + "-" +
        RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz", 8) + "-" +
        RandomNumberGenerator.GetString("23456789", 4);

    private static (byte[] Content, string Schema) ReadDataFile(string folder, string name) =>
        (File.ReadAllBytes(Path.Combine(folder, name)), File.ReadAllText(SchemaFile.PathFor(Path.Combine(folder, name))));

    /// <summary>The configured folder, or the nearest <c>deploy/demo-data</c> above the content root or the binary.</summary>
    public static string DataFolder(string? configured, string contentRoot)
    {
        if (configured is not null) return File.Exists(Path.Combine(configured, "adult.data.gz")) ? configured
            : throw new InvalidOperationException($"BiasBounty:Demo:DataDirectory '{configured}' holds no adult.data.gz");
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "deploy", "demo-data");
                if (File.Exists(Path.Combine(candidate, "adult.data.gz"))) return candidate;
            }
        throw new InvalidOperationException("the demo data (deploy/demo-data/adult.data.gz) was not found; set BiasBounty:Demo:DataDirectory or BiasBounty:Demo:Enabled=false");
    }
}

public static class DemoExtensions
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<DemoOptions>(DemoOptions.Section);
        builder.Services.AddScoped<IStartupStep, DemoSeeder>();
        return builder;
    }
}
