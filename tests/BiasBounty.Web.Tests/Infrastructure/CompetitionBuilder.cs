using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>
/// The one way tests make a competition row of their own. Each call returns a new builder (the old one is unchanged),
/// and each build gets a fresh slug and name, so one builder can make many competitions:
/// <code>
/// var competition = await CompetitionBuilder.New("Rewards").LikeDemo().OrganizedBy(organizerId).WithReward(500m, "EUR").SaveAsync(db);
/// </code>
/// Defaults: open from a day ago for 30 days, metric error, default settings, no reward (USD), no organizer, the
/// default embargo, label column "label" and an empty schema, no files and no model version (enough for triage, teams
/// and the pages that never read the data). <see cref="LikeDemo"/> takes the scoring set-up of the demo competition
/// instead; <see cref="WithDemoFiles"/> points at the demo's stored files; <see cref="SaveWithDemoDataAsync"/> stores
/// a full copy of the demo's data and base model (version 0), so the real scoring job can run on it. What is set
/// explicitly wins over the demo's set-up, whatever the order of the calls.
/// </summary>
public sealed record CompetitionBuilder
{
    private CompetitionBuilder(string name) => this.name = name;

    private readonly string name;
    private string? slug;
    private CompetitionStatus status = CompetitionStatus.Open;
    private DateTimeOffset? opensAt, closesAt;
    private bool likeDemo, demoFiles;
    private Metric? metric;
    private Func<CompetitionSettings, CompetitionSettings>? settings;
    private decimal? rewardPool;
    private string? rewardCurrency;
    private string? organizerId;
    private int embargoDays = Competition.DefaultEmbargoDays;

    /// <summary>A builder whose competitions are named "<paramref name="name"/> xxxxxx" with the slug "<paramref name="name"/>-xxxxxxxxxx" (lower case, dashes).</summary>
    public static CompetitionBuilder New(string name = "Test") => new(name);

    /// <summary>A fixed slug instead of a fresh one (one competition only: slugs are unique).</summary>
    public CompetitionBuilder WithSlug(string slug) => this with { slug = slug };

    /// <summary>Open (the default), draft or closed: see <see cref="Draft"/> and <see cref="Closed"/>.</summary>
    public CompetitionBuilder WithStatus(CompetitionStatus status) => this with { status = status };

    public CompetitionBuilder Draft() => WithStatus(CompetitionStatus.Draft);

    /// <summary>Closed by an organizer now; unless dates are given, it ran from ten days ago until yesterday.</summary>
    public CompetitionBuilder Closed() => WithStatus(CompetitionStatus.Closed);

    public CompetitionBuilder Between(DateTimeOffset opensAt, DateTimeOffset closesAt) => this with { opensAt = opensAt, closesAt = closesAt };

    public CompetitionBuilder OrganizedBy(string? organizerId) => this with { organizerId = organizerId };

    public CompetitionBuilder WithReward(decimal pool, string currency) => this with { rewardPool = pool, rewardCurrency = currency };

    public CompetitionBuilder WithMetric(Metric metric) => this with { metric = metric };

    /// <summary>Changes the settings (the default ones, or the demo's after <see cref="LikeDemo"/>), e.g. <c>s =&gt; s with { MaxModelBytes = 1024 }</c>.</summary>
    public CompetitionBuilder WithSettings(Func<CompetitionSettings, CompetitionSettings> change) => this with { settings = change };

    public CompetitionBuilder WithEmbargoDays(int days) => this with { embargoDays = days };

    /// <summary>The demo competition's scoring set-up: label, positive class, schema, metric, settings, split seed, description and reward.</summary>
    public CompetitionBuilder LikeDemo() => this with { likeDemo = true };

    /// <summary>The demo's stored training and holdout files (shared rows; no model version, so scoring on it fails). Implies <see cref="LikeDemo"/>.</summary>
    public CompetitionBuilder WithDemoFiles() => this with { likeDemo = true, demoFiles = true };

    /// <summary>The row as configured (not saved); <paramref name="demo"/> is needed after <see cref="LikeDemo"/>.</summary>
    public Competition Build(Competition? demo = null)
    {
        if (likeDemo && demo is null) throw new InvalidOperationException("LikeDemo needs the demo competition: pass it, or use SaveAsync");
        var template = likeDemo ? demo : null;
        var suffix = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var closed = status == CompetitionStatus.Closed;
        return new Competition
        {
            Name = $"{name} {suffix[..6]}",
            Slug = slug ?? $"{name.ToLowerInvariant().Replace(' ', '-')}-{suffix[..10]}",
            DescriptionMarkdown = template?.DescriptionMarkdown ?? "",
            Status = status,
            OpensAt = opensAt ?? now.AddDays(closed ? -10 : -1),
            ClosesAt = closesAt ?? now.AddDays(closed ? -1 : 30),
            ClosedAt = closed ? now : null,
            Metric = metric ?? template?.Metric ?? Metric.Error,
            Settings = (settings ?? (s => s))(template?.Settings ?? new CompetitionSettings()),
            SplitSeed = template?.SplitSeed ?? 0,
            RewardPool = rewardPool ?? template?.RewardPool ?? 0m,
            RewardCurrency = rewardCurrency ?? template?.RewardCurrency ?? "USD",
            LabelColumn = template?.LabelColumn ?? "label",
            PositiveClass = template?.PositiveClass,
            SchemaJson = template?.SchemaJson ?? "{}",
            TrainingFileId = demoFiles ? template!.TrainingFileId : null,
            HoldoutFileId = demoFiles ? template!.HoldoutFileId : null,
            OrganizerId = organizerId,
            DisclosureEmbargoDays = embargoDays,
            CreatedAt = now,
        };
    }

    /// <summary>Adds the competition (no files of its own) and saves.</summary>
    public async Task<Competition> SaveAsync(ApplicationDbContext db)
    {
        var competition = Build(likeDemo ? await DemoAsync(db) : null);
        db.Competitions.Add(competition);
        await db.SaveChangesAsync();
        return competition;
    }

    /// <summary>
    /// A full copy of the demo competition's data under this builder's set-up (implies <see cref="LikeDemo"/>): its
    /// training and holdout files, its baseline model and version 0, stored through <see cref="CompetitionAssembly.SaveAsync"/>
    /// as the seeder does, so submissions to it are scored for real.
    /// </summary>
    public async Task<Competition> SaveWithDemoDataAsync(AsyncServiceScope scope)
    {
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var demo = await DemoAsync(db);
        var training = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == demo.TrainingFileId);
        var holdout = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == demo.HoldoutFileId);
        var model = await db.StoredFiles.AsNoTracking()
            .Where(f => f.CompetitionId == demo.Id && f.Kind == StoredFileKind.Model && f.FileName == "baseline.onnx").FirstAsync();
        var baseline = await db.DecisionListVersions.AsNoTracking().SingleAsync(v => v.CompetitionId == demo.Id && v.Version == 0);
        var competition = (this with { likeDemo = true, demoFiles = false }).Build(demo);
        await scope.ServiceProvider.GetRequiredService<CompetitionAssembly>().SaveAsync(competition,
            Data(training), Data(holdout), model.FileName, model.Content, new BaseModelCheck(baseline.ListJson, baseline.FeedbackLoss),
            CancellationToken.None);
        return competition;
    }

    /// <summary>
    /// A full copy of the speech demo (an evaluation table scored by word error rate) under this builder's set-up: its
    /// set-up instead of the tabular demo's (<see cref="LikeDemo"/>), its public part, holdout and version 0, stored through
    /// <see cref="CompetitionAssembly.SaveEvaluationTableAsync"/> as the seeder does.
    /// </summary>
    public async Task<Competition> SaveWithSpeechDemoDataAsync(AsyncServiceScope scope)
    {
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var speech = await DemoAsync(db, SpeechDemo.Slug);
        var training = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == speech.TrainingFileId);
        var holdout = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == speech.HoldoutFileId);
        var baseline = await db.DecisionListVersions.AsNoTracking().SingleAsync(v => v.CompetitionId == speech.Id && v.Version == 0);
        var competition = (this with { likeDemo = true, demoFiles = false }).Build(speech);
        await scope.ServiceProvider.GetRequiredService<CompetitionAssembly>().SaveEvaluationTableAsync(competition,
            Data(training), Data(holdout), new BaseModelCheck(baseline.ListJson, baseline.FeedbackLoss), CancellationToken.None);
        return competition;
    }

    private static Task<Competition> DemoAsync(ApplicationDbContext db, string slug = DemoSeeder.Slug) =>
        db.Competitions.AsNoTracking().SingleAsync(c => c.Slug == slug);

    private static DataFile Data(StoredFile file) =>
        new(file.FileName, file.Content, file.LoadSchemaJson ?? throw new InvalidOperationException($"{file.FileName} has no load schema"));
}
