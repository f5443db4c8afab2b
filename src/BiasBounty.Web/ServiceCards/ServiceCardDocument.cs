using System.Text.Json;

namespace BiasBounty.Web.ServiceCards;

/// <summary>
/// A service card: what one published version of a competition's model is, what it is for, how it does for each group
/// and who improved it, in the spirit of published AI service cards and Mitchell et al.'s model cards. Built once
/// (<see cref="ServiceCardBuilder"/>), stored as JSON and rendered three ways (HTML page, Markdown, JSON) from this one
/// record. Only released facts: counts as bands, percentages rounded as the leaderboard rounds them, findings only once
/// disclosed, and never a holdout row or value.
/// </summary>
public sealed record ServiceCardDocument(
    string Format,
    CardAbout About,
    CardModel Model,
    IReadOnlyList<CardVersion> VersionHistory,
    CardIntendedUse IntendedUse,
    CardFactors Factors,
    CardMetric Metric,
    CardEvaluationData EvaluationData,
    CardTrainingData TrainingData,
    CardQuantitativeAnalysis QuantitativeAnalysis,
    IReadOnlyList<CardFinding> VerifiedFindings,
    IReadOnlyList<CardFix> AcceptedFixes,
    CardConsiderations EthicalConsiderations,
    CardConsiderations Caveats,
    CardTestYourself TestOnYourData)
{
    public const string FormatName = "biasbounty.service-card/1";

    // Relaxed escaping keeps expressions readable ("sex == \"Female\"", not \u0022): the JSON is a download, never inlined in HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ServiceCardDocument FromJson(string json) =>
        JsonSerializer.Deserialize<ServiceCardDocument>(json, Json) ?? throw new JsonException("empty service card");
}

/// <summary>Which card this is: the competition, the version, its state and when the card was produced.</summary>
public sealed record CardAbout(string Competition, string Slug, int Version, int NewestVersion, string CompetitionStatus, DateTimeOffset ProducedAt, string Url);

/// <summary>Model details: the task, the base model and the fixes and repairs this version holds, and where to download it.</summary>
public sealed record CardModel(
    string Summary, string Task, string? Label, string? PositiveClass, int Fixes, int Repairs, DateTimeOffset VersionCreatedAt,
    string? OnnxDownload, string? DecisionListDownload, string Inputs);

/// <summary>One version up to the card's: the leaderboard's rounded loss, its 95 % interval, and the fix that made it.</summary>
public sealed record CardVersion(int Version, DateTimeOffset CreatedAt, double? LossPercent, CardInterval? Interval, string? Team, string? Group);

/// <summary>A 95 % confidence interval in percent, rounded to 0.1.</summary>
public sealed record CardInterval(double LowerPercent, double UpperPercent);

/// <summary>Text the organizer wrote, or the platform's sentence saying that the organizer has not.</summary>
public sealed record OrganizerText(string Text, bool ByOrganizer);

public sealed record CardIntendedUse(OrganizerText PrimaryUses, OrganizerText OutOfScope);

/// <summary>The factors: the feature columns, which of them the organizer marks as protected, and why groups are formed as they are.</summary>
public sealed record CardFactors(IReadOnlyList<string> FeatureColumns, IReadOnlyList<string> ProtectedColumns, IReadOnlyList<string> NotModelInputs, string Note);

public sealed record CardMetric(string Name, string Label, string HowMeasured);

/// <summary>The holdout by size and split only: never a row.</summary>
public sealed record CardEvaluationData(int HoldoutRows, int FeedbackRows, int ConfirmationRows, string Split, string Note);

/// <summary>The public training data, as its data card describes it.</summary>
public sealed record CardTrainingData(int Rows, string? Label, string? PositiveClass, int? PositiveRows, int FeatureCount, string DataCardDownload, string TrainingDownload);

/// <summary>Per group: the base model's and this version's loss with 95 % intervals, on the part of the holdout <see cref="Part"/> names.</summary>
public sealed record CardQuantitativeAnalysis(
    string Part, int MinGroupRows, CardGroup? Overall, IReadOnlyList<CardGroup> Groups, int GroupsNotShown, IReadOnlyList<string> NotBrokenDown, string Note);

/// <summary>One group: its expression, its columns, its size as a band, and the two versions' losses.</summary>
public sealed record CardGroup(string Group, IReadOnlyList<string> Columns, string Size, CardLoss Base, CardLoss This);

/// <summary>A loss in percent (rounded to 0.1) with its 95 % interval.</summary>
public sealed record CardLoss(double Percent, CardInterval Interval);

/// <summary>A verified finding as the leaderboard discloses it.</summary>
public sealed record CardFinding(string Group, string Team, string Size, double? ErrorPercent, string? Gap, DateTimeOffset DisclosedAt);

/// <summary>An accepted fix: the version it made, the team credited, the group it mended.</summary>
public sealed record CardFix(int Version, string Team, string Group, double? LossAfterPercent, DateTimeOffset AcceptedAt);

/// <summary>The organizer's words and the platform's own points.</summary>
public sealed record CardConsiderations(OrganizerText Organizer, IReadOnlyList<string> Platform);

public sealed record CardTestYourself(string Text, IReadOnlyList<string> Commands);
