using System.Text;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>
/// The wizard's pre-flight audit (issue 13) through the draft and the open slice: groups where the base model already
/// errs more on the PUBLIC training data, never the holdout; advice that does not block opening.
/// </summary>
public sealed class PreflightAuditTests(PlatformFactory platform, ITestOutputHelper output) : IClassFixture<PlatformFactory>
{
    /// <summary>
    /// Rows of (age, region, x, y): y is "yes" exactly when x &gt; 0, except in <paramref name="noisyRegion"/>, where y is a
    /// coin flip — no model of these columns can be right there more than half of the time.
    /// </summary>
    private static byte[] Planted(int rows, int seed, string? noisyRegion)
    {
        string[] regions = ["north", "south", "east", "west"];
        var random = new Random(seed);
        var text = new StringBuilder("age,region,x,y\n");
        for (var i = 0; i < rows; i++)
        {
            var region = regions[random.Next(regions.Length)];
            var x = Math.Round(random.NextDouble() * 2 - 1, 3);
            var yes = region == noisyRegion ? random.Next(2) == 0 : x > 0;
            text.Append(20 + random.Next(50)).Append(',').Append(region).Append(',')
                .Append(x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',').Append(yes ? "yes" : "no").Append('\n');
        }
        return OrganizeTestData.Text(text.ToString());
    }

    private static CompetitionDetails Details(string slug) => new()
    {
        Name = "Planted region", Slug = slug, Description = "Find where the model errs.", Rules = "Be kind.",
        OpensAt = new DateTime(2026, 12, 1), ClosesAt = new DateTime(2027, 3, 1), RewardPool = 100m, Currency = "EUR",
    };

    private static CompetitionDraft Draft(byte[] training, byte[] holdout, CompetitionSettings settings)
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("train.csv", training));
        Assert.Null(draft.UploadHoldout("holdout.csv", holdout));
        Assert.Null(draft.ConfirmSchema("y", "yes", [], settings.Metric));
        Assert.Null(draft.TrainBaseline(settings));
        return draft;
    }

    [Fact]
    public async Task Audit_ListsThePlantedWeakGroupOfThePublicData_NotTheHoldouts_AndDoesNotBlockOpening()
    {
        var details = Details("planted-region");
        // The training data's weak group is the east; the holdout's is the west: the audit must see only the former.
        var draft = Draft(Planted(4_000, 1, "east"), Planted(3_000, 2, "west"), details.ToSettings(0));
        var settings = details.ToSettings(draft.SplitSeed);

        var audit = draft.RunAudit(settings);

        Assert.NotNull(audit);
        Assert.Equal(4_000, audit.Rows);
        var best = audit.Groups[0];
        Assert.Equal("region == \"east\"", best.Expression);
        Assert.InRange(best.GroupRate, 0.35, 0.65);
        Assert.InRange(best.RestRate, 0.0, 0.1);
        Assert.True(best.AdjustedPValue <= 0.025);
        Assert.DoesNotContain(audit.Groups, g => g.Expression.Contains("west", StringComparison.Ordinal));
        Assert.Same(audit, draft.Audit(settings.Metric)); // cached: one search per model check
        Assert.Same(audit, draft.RunAudit(settings));
        Assert.Null(draft.Audit(Metric.Fpr)); // another metric asks for another audit

        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var (competition, errors) = await CreateCompetition.OpenAsync(platform.NewDb(scope), scope.ServiceProvider.GetRequiredService<CompetitionAssembly>(),
            details, draft, organizerId, CancellationToken.None);
        Assert.Empty(errors);
        Assert.NotNull(competition);
        Assert.Equal(CompetitionStatus.Open, (await platform.NewDb(scope).Competitions.AsNoTracking().SingleAsync(c => c.Slug == "planted-region")).Status);
    }

    [Fact]
    public void Audit_ListsNothing_OnDataWithoutStructure()
    {
        // Labels are coin flips everywhere: the model errs about as often in every group.
        var settings = new CompetitionSettings();
        var draft = Draft(Coins(4_000, 3), Coins(3_000, 4), settings);

        var audit = draft.RunAudit(settings with { SplitSeed = draft.SplitSeed });

        Assert.NotNull(audit);
        Assert.Empty(audit.Groups);
    }

    /// <summary>(age, region, x, y) with y a coin flip on every row.</summary>
    private static byte[] Coins(int rows, int seed)
    {
        string[] regions = ["north", "south", "east", "west"];
        var random = new Random(seed);
        var text = new StringBuilder("age,region,x,y\n");
        for (var i = 0; i < rows; i++)
            text.Append(20 + random.Next(50)).Append(',').Append(regions[random.Next(regions.Length)]).Append(',')
                .Append(Math.Round(random.NextDouble() * 2 - 1, 3).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append(random.Next(2) == 0 ? "yes" : "no").Append('\n');
        return OrganizeTestData.Text(text.ToString());
    }

    [Fact]
    public void Audit_OnTheDemoAdultData_FindsTheBaselinesKnownWeakGroups_InBoundedTime()
    {
        var folder = OrganizeTestData.Folder;
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("adult.data.gz", File.ReadAllBytes(Path.Combine(folder, "adult.data.gz")),
            File.ReadAllBytes(Path.Combine(folder, "adult.data.schema.json"))));
        Assert.Null(draft.UploadHoldout("adult.test.gz", File.ReadAllBytes(Path.Combine(folder, "adult.test.gz")),
            File.ReadAllBytes(Path.Combine(folder, "adult.test.schema.json"))));
        Assert.Null(draft.ConfirmSchema("income", ">50K", ["fnlwgt"], Metric.Error));
        var settings = new CompetitionSettings { SplitSeed = draft.SplitSeed };
        Assert.Null(draft.TrainBaseline(settings));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var audit = draft.RunAudit(settings)!;
        output.WriteLine($"adult.data: {audit.Rows:N0} rows, up to {audit.MaxConditions} conditions, search {audit.Elapsed.TotalSeconds:0.00} s, " +
            $"with predictions {clock.Elapsed.TotalSeconds:0.00} s; {audit.Groups.Count} groups: {string.Join(" | ", audit.Groups.Select(g => g.Expression))}");

        // A logistic baseline errs most on married people (the demo's known finding: `marital-status == "Married-civ-spouse"`).
        Assert.Contains(audit.Groups, g => g.Expression.Contains("Married-civ-spouse", StringComparison.Ordinal) || g.Expression.Contains("Husband", StringComparison.Ordinal));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 60);
    }
}
