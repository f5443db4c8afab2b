using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Organize;

/// <summary>What the organizer types into the wizard: texts, dates, metric, the scoring settings (docs/scoring-rules.md) and the reward pool.</summary>
public sealed class CompetitionDetails : IValidatableObject
{
    public const string SlugPattern = "^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$";

    [Required(ErrorMessage = "Give the competition a name.")]
    [StringLength(200, ErrorMessage = "The name can have at most 200 characters.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Choose a URL name (slug), e.g. income-wyoming.")]
    [RegularExpression(SlugPattern, ErrorMessage = "The URL name may hold only lower-case letters, digits and hyphens, 3 to 100 characters, and may not start or end with a hyphen.")]
    public string Slug { get; set; } = "";

    [StringLength(20_000, ErrorMessage = "The description can have at most 20,000 characters.")]
    public string Description { get; set; } = "";

    [StringLength(20_000, ErrorMessage = "The rules can have at most 20,000 characters.")]
    public string Rules { get; set; } = "";

    public DateTime OpensAt { get; set; } = DateTime.UtcNow.Date;

    public DateTime ClosesAt { get; set; } = DateTime.UtcNow.Date.AddDays(30);

    /// <summary>Also the kind of competition: a metric that scores predictions judges a model, wer and cer an evaluation table.</summary>
    public Metric Metric { get; set; } = Metric.Error;

    /// <summary>Whether the competition judges an evaluation table (one row per evaluated item) rather than a model.</summary>
    public bool IsEvaluationTable => !Metric.Definition().ScoresPredictions;

    [Range(0.05, 0.95, ErrorMessage = "The feedback share must be between 0.05 and 0.95.")]
    public double FeedbackShare { get; set; } = 0.4;

    [Range(1, 1_000_000, ErrorMessage = "The least group size must be a whole number of rows from 1 to 1,000,000.")]
    public int MinGroupRows { get; set; } = 100;

    [Range(1e-6, 1.0, ErrorMessage = "The certificate threshold ε must be between 0.000001 and 1.")]
    public double CertificateThreshold { get; set; } = 0.001;

    [Range(1e-6, 0.5, ErrorMessage = "The false-discovery target must be between 0.000001 and 0.5.")]
    public double FdrAlpha { get; set; } = 0.05;

    [Range(0.0, 10.0, ErrorMessage = "The finding weight must be between 0 and 10.")]
    public double FindingWeight { get; set; } = 0.25;

    [Range(1, 1000, ErrorMessage = "Submissions per team per day must be a whole number from 1 to 1,000.")]
    public int SubmissionsPerDay { get; set; } = 5;

    [Range(1, 200, ErrorMessage = "The largest model must be from 1 to 200 MB.")]
    public int MaxModelMegabytes { get; set; } = 50;

    [Range(typeof(decimal), "0", "1000000000000", ErrorMessage = "The reward pool must be an amount of 0 or more (at most 10¹²).")]
    public decimal RewardPool { get; set; }

    [Required(ErrorMessage = "Give the reward pool's currency, e.g. USD.")]
    [RegularExpression("^[A-Z]{3}$", ErrorMessage = "The currency must be a three-letter ISO code in capitals, such as USD or EUR.")]
    public string Currency { get; set; } = "USD";

    /// <summary>The settings the engine sees, with a fresh seed for the feedback/confirmation split.</summary>
    public CompetitionSettings ToSettings(int splitSeed) => new()
    {
        Metric = Metric, FeedbackShare = FeedbackShare, SplitSeed = splitSeed, MinGroupRows = MinGroupRows,
        CertificateThreshold = CertificateThreshold, FdrAlpha = FdrAlpha, FindingWeight = FindingWeight,
        SubmissionsPerDay = SubmissionsPerDay, MaxModelBytes = MaxModelMegabytes * 1024L * 1024,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClosesAt <= OpensAt) yield return new ValidationResult("The end date must be after the start date.", [nameof(ClosesAt)]);
        if (Metric.Definition().WizardText is null)
            yield return new ValidationResult("Choose one of the listed metrics: error, fpr, fnr or squared for a model; wer or cer for an evaluation table.", [nameof(Metric)]);
    }
}

/// <summary>The create-competition slice: validates the details and opens the competition from a complete draft.</summary>
public static class CreateCompetition
{
    /// <summary>Field name → message, empty when the details are fine (the slug must also be free).</summary>
    public static async Task<Dictionary<string, string>> ValidateAsync(ApplicationDbContext db, CompetitionDetails details, CancellationToken ct)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(details, new ValidationContext(details), results, validateAllProperties: true);
        var errors = new Dictionary<string, string>();
        foreach (var result in results)
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
                errors.TryAdd(member, result.ErrorMessage ?? "This value is not valid.");
        if (!errors.ContainsKey(nameof(details.Slug)) && await db.Competitions.AnyAsync(c => c.Slug == details.Slug, ct))
            errors[nameof(details.Slug)] = SlugTaken(details.Slug);
        return errors;
    }

    /// <summary>
    /// Opens the competition: re-checks the base model (or the evaluation table's version 0) with the final settings,
    /// then stores the competition, its files, decision-list version 0 and fresh ledgers (no model file for an evaluation
    /// table). Returns the competition, or the messages that stop it.
    /// </summary>
    public static async Task<(Competition? Competition, Dictionary<string, string> Errors)> OpenAsync(
        ApplicationDbContext db, CompetitionAssembly assembly, CompetitionDetails details, CompetitionDraft draft, string organizerId,
        CancellationToken ct)
    {
        var errors = await ValidateAsync(db, details, ct);
        if (errors.Count > 0) return (null, errors);
        if (draft.Schema is null || draft.TrainingFile is null || draft.HoldoutFile is null)
            return (null, new() { ["Data"] = "Upload the data and confirm its schema first." });
        if (draft.IsEvaluationTable != details.IsEvaluationTable)
            return (null, new()
            {
                ["Data"] = details.IsEvaluationTable
                    ? "The data was confirmed for a model competition; confirm it as an evaluation table (its errors, sizes and speaker) first."
                    : "The data was confirmed as an evaluation table; confirm its schema with a label for a model competition first.",
            });
        var settings = details.ToSettings(draft.SplitSeed);
        try
        {
            settings.Validate();
        }
        catch (ScoringInputException e)
        {
            return (null, new() { [""] = e.Message });
        }
        if (draft.Feasibility(settings) is { AnyTestable: false } feasibility)
            return (null, new() { ["Feasibility"] = Describe(feasibility) + " " + Suggest(feasibility) });
        if (draft.Recheck(settings) is { } modelProblem) return (null, new() { [draft.IsEvaluationTable ? "Data" : "Model"] = modelProblem });

        var schema = draft.Schema;
        var competition = new Competition
        {
            Name = details.Name.Trim(),
            Slug = details.Slug,
            DescriptionMarkdown = details.Description,
            RulesMarkdown = details.Rules,
            OpensAt = DateTime.SpecifyKind(details.OpensAt, DateTimeKind.Utc),
            ClosesAt = DateTime.SpecifyKind(details.ClosesAt, DateTimeKind.Utc),
            Metric = settings.Metric,
            Settings = settings,
            SplitSeed = settings.SplitSeed,
            DataSplitSeed = draft.DataSplitSeed,
            RewardPool = details.RewardPool,
            RewardCurrency = details.Currency,
            Status = CompetitionStatus.Open,
            // An evaluation table has no label: its errors column stands in, as for the speech demo.
            LabelColumn = schema.LabelColumn ?? schema.LossErrorsColumn!,
            PositiveClass = schema.PositiveClass,
            SchemaJson = JsonSerializer.Serialize(schema, SchemaFile.Json),
            OrganizerId = organizerId,
        };
        try
        {
            if (draft.IsEvaluationTable)
                await assembly.SaveEvaluationTableAsync(competition, draft.TrainingFile, draft.HoldoutFile, draft.Check!, ct);
            else
                await assembly.SaveAsync(competition, draft.TrainingFile, draft.HoldoutFile, draft.ModelName!, draft.Model!, draft.Check!, ct);
        }
        catch (DbUpdateException)
        {
            // Another organizer took the slug between the check and the save; anything else is not the user's doing.
            db.ChangeTracker.Clear();
            if (!await db.Competitions.AsNoTracking().AnyAsync(c => c.Slug == details.Slug, ct)) throw;
            return (null, new() { [nameof(details.Slug)] = SlugTaken(details.Slug) });
        }
        return (competition, []);
    }

    /// <summary>What the holdout can test with these settings, as one sentence for the organizer.</summary>
    public static string Describe(GroupSizeFeasibility f)
    {
        var parts = $"The holdout has {f.EligibleRows:N0} rows for this metric ({f.FeedbackRows:N0} in the feedback part, {f.ConfirmationRows:N0} in the confirmation part)";
        return f.AnyTestable
            ? $"{parts}: groups from {f.SmallestRows:N0} rows ({Percent(f.SmallestShare)}) to {f.LargestRows:N0} rows ({Percent(f.LargestShare)}) of it can be tested."
            : $"{parts}: no group can be tested, because a group and the rest must each have at least {f.MinGroupRows:N0} rows in both parts.";
    }

    /// <summary>Settings that would make groups of 10 %–90 % of the holdout testable; empty when they already are.</summary>
    public static string Suggest(GroupSizeFeasibility f)
    {
        if (f.SensibleRangeTestable) return "";
        var rows = f.SuggestedMinGroupRows >= 2 ? $"set the least group rows to {f.SuggestedMinGroupRows:N0} or less, or " : "";
        return $"To test groups of 10 %–90 % of the holdout, {rows}use a holdout of at least {f.SuggestedHoldoutRows:N0} rows (a larger file or holdout share); a feedback share near 0.5 also helps.";
    }

    private static string Percent(double share) => share.ToString("0.#%", System.Globalization.CultureInfo.InvariantCulture).Replace("%", " %", StringComparison.Ordinal);

    private static string SlugTaken(string slug) => $"The URL name '{slug}' is already taken; choose another.";
}
