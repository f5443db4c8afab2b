using System.Text.Json;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;

namespace BiasBounty.Web.Competitions;

/// <summary>Turns stored files and competition rows into the engine's objects.</summary>
public static class CompetitionData
{
    /// <summary>Reads a stored data file with its stored <c>SchemaFile</c> JSON (or inferred kinds without one).</summary>
    public static Dataset LoadDataset(byte[] content, string? loadSchemaJson) =>
        CsvDatasetLoader.Load(content, LoadOptions(loadSchemaJson));

    public static CsvLoadOptions? LoadOptions(string? loadSchemaJson)
    {
        if (loadSchemaJson is null) return null;
        var sidecar = JsonSerializer.Deserialize<SchemaFile>(loadSchemaJson, SchemaFile.Json)
            ?? throw new ScoringInputException("the stored schema is empty");
        return sidecar.HasHeader ? new CsvLoadOptions(Schema: sidecar.Schema) : CsvLoadOptions.ForHeaderlessSchema(sidecar.Schema);
    }

    /// <summary>The settings the engine sees: the stored settings with the competition's metric and split seed.</summary>
    public static CompetitionSettings ScoringSettings(this Competition competition) =>
        ScoringSettings(competition.Settings, competition.Metric, competition.SplitSeed);

    /// <summary>The settings the engine sees, from the competition's stored columns (for a query that reads only those).</summary>
    public static CompetitionSettings ScoringSettings(CompetitionSettings stored, Metric metric, int splitSeed) =>
        stored with { Metric = metric, SplitSeed = splitSeed };

    /// <summary>
    /// Mean loss of the list's current version on the feedback part only, the one number per version that the public
    /// leaderboard shows (rounded); for an evaluation table (word error rate), the table's ΣE/ΣN on the feedback part.
    /// </summary>
    public static double FeedbackLoss(PointerDecisionList list, Holdout holdout, CompetitionSettings settings) =>
        FeedbackLoss(list, list.Current.Number, holdout, settings);

    /// <summary>The same for a published <paramref name="version"/> of <paramref name="list"/> (its cached holdout predictions).</summary>
    public static double FeedbackLoss(PointerDecisionList list, int version, Holdout holdout, CompetitionSettings settings)
    {
        if (!settings.Metric.Definition().ScoresPredictions)
            return holdout.LossErrors is null ? double.NaN : holdout.LossSums(holdout.Feedback).Ratio;
        var rows = settings.Metric.Eligible(holdout.Y).And(holdout.Feedback).ToIndices();
        return PointerDecisionList.MeanLoss(list.HoldoutPredictions(version), rows, holdout.Y, settings.Metric, settings.LossCap);
    }
}
