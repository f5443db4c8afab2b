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

/// <summary>
/// On an empty database: the demo competition on UCI Adult (adult.data public, adult.test the hidden holdout), with a
/// logistic baseline trained now as version 0, and an organizer whose one-time password is printed to the console.
/// </summary>
public sealed class DemoSeeder(
    ApplicationDbContext db, CompetitionAssembly assembly, UserManager<ApplicationUser> users, IOptions<DemoOptions> options, IHostEnvironment environment,
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
        var organizerId = await SeedOrganizerAsync(demo.OrganizerEmail, demo.ShowConveniences);
        await SeedTabularAsync(ReadDataFile(folder, "adult.data.gz"), ReadDataFile(folder, "adult.test.gz"), "Adult income (UCI demo)", Slug, """
                Find groups of people on which the baseline income classifier errs more often than on everyone else,
                and propose fixes. Training data: UCI Adult (`adult.data`); the hidden holdout is `adult.test`.
                """, organizerId, ct);
        if (demo.AcsGeorgia)
        {
            if (!AcsGeorgiaDemo.Available(folder)) throw new InvalidOperationException($"BiasBounty:Demo:AcsGeorgia is on, but {folder} holds no {AcsGeorgiaDemo.DataFileName}");
            var (publicPart, holdout) = AcsGeorgiaDemo.Split(folder);
            await SeedTabularAsync(publicPart, holdout, AcsGeorgiaDemo.Name, AcsGeorgiaDemo.Slug, AcsGeorgiaDemo.Description, organizerId, ct);
        }
        if (SpeechDemo.Available(folder))
        {
            var (publicPart, holdout, competition, check) = SpeechDemo.Build(folder, organizerId, time.GetUtcNow());
            await assembly.SaveEvaluationTableAsync(competition, publicPart, holdout, check, ct);
        }
    }

    /// <summary>A tabular demo competition: a logistic baseline trained on <paramref name="training"/> now, as version 0.</summary>
    private async Task SeedTabularAsync(DataFile training, DataFile holdout, string name, string slug, string description, string organizerId, CancellationToken ct)
    {
        var settings = new CompetitionSettings();
        var trainingData = training.Load();
        var competition = OpenFor90Days(name, slug, description, settings, trainingData.Schema, organizerId, time.GetUtcNow(), rewardPool: 1000m);
        var baseline = CompetitionAssembly.TrainBaseline(trainingData);
        var check = CompetitionAssembly.CheckBaseModel(baseline, trainingData, holdout.Load(), ModelCatalog.ContentId(holdout.Content), settings);
        await assembly.SaveAsync(competition, training, holdout, "baseline.onnx", baseline, check, ct);
    }

    /// <summary>A demo competition, open now for 90 days, on <paramref name="schema"/> (its label, or its loss errors column).</summary>
    internal static Competition OpenFor90Days(string name, string slug, string description, CompetitionSettings settings, DatasetSchema schema,
        string organizerId, DateTimeOffset now, decimal rewardPool) => new()
    {
        Name = name,
        Slug = slug,
        DescriptionMarkdown = description,
        OpensAt = now,
        ClosesAt = now.AddDays(90),
        Metric = settings.Metric,
        Settings = settings,
        SplitSeed = settings.SplitSeed,
        RewardPool = rewardPool,
        Status = CompetitionStatus.Open,
        LabelColumn = schema.LabelColumn ?? schema.LossErrorsColumn!,
        PositiveClass = schema.PositiveClass,
        SchemaJson = JsonSerializer.Serialize(schema, SchemaFile.Json),
        OrganizerId = organizerId,
        CreatedAt = now,
    };

    /// <summary>The demo organizer's user id (the account is created when missing).</summary>
    private async Task<string> SeedOrganizerAsync(string email, bool printPassword)
    {
        if (await users.FindByEmailAsync(email) is { } existing) return existing.Id;
        var password = OneTimePassword();
        var organizer = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Demo organizer", MustChangePassword = true };
        var created = await users.CreateAsync(organizer, password);
        if (!created.Succeeded) throw new InvalidOperationException("could not create the demo organizer: " + string.Join("; ", created.Errors.Select(e => e.Description)));
        await users.AddToRolesAsync(organizer, [Roles.Organizer, Roles.Participant]);
        if (!printPassword)
        {
            log.LogInformation("Created the demo organizer {Email}; its password is not shown (BiasBounty:Demo:ShowConveniences is off): reset it by e-mail", email);
            return organizer.Id;
        }
        // To the console only, never to the log: this is the one time the password is shown.
        Console.WriteLine();
        Console.WriteLine($"  Demo organizer account: {email}");
        Console.WriteLine($"  One-time password:      {password}   (shown once; you choose your own at the first sign-in)");
        Console.WriteLine();
        return organizer.Id;
    }

    /// <summary>A random password that meets Identity's default rules (upper, lower, digit, symbol, length).</summary>
    private static string OneTimePassword() =>
        RandomNumberGenerator.GetString("ABCDEFGHJKMNPQRSTUVWXYZ", 4) + "-" +
        RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz", 8) + "-" +
        RandomNumberGenerator.GetString("23456789", 4);

    private static DataFile ReadDataFile(string folder, string name) =>
        new(name, File.ReadAllBytes(Path.Combine(folder, name)), File.ReadAllText(SchemaFile.PathFor(Path.Combine(folder, name))));

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
