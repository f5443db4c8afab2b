using System.Text.Json;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Text;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Competitions;

/// <summary>
/// A new version of the system an evaluation-table competition measures (a retrained recogniser), published by the
/// organizer: the evaluation of the same items, kept as the uploaded file. Version 0 is the table the competition
/// opened with; published versions are numbered from 1. (CompetitionId, Number) is unique.
/// </summary>
public class SystemVersion
{
    public const int MaxNameLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public int Number { get; set; }

    /// <summary>What changed, in the organizer's words ("retrained on noisy data"); shown on the leaderboard.</summary>
    public required string Name { get; set; }

    /// <summary>The upload, byte for byte (<see cref="StoredFileKind.SystemVersion"/>).</summary>
    public Guid FileId { get; set; }

    public StoredFile? File { get; set; }

    public required string PublishedById { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    /// <summary>The version's ΣE/ΣN on the holdout's feedback part; released rounded to 0.1 %, as a model version's loss.</summary>
    public double FeedbackLoss { get; set; }

    /// <summary>The same on the confirmation part: for the organizer only (decisions are made there).</summary>
    public double ConfirmationLoss { get; set; }
}

internal sealed class SystemVersionConfiguration : IEntityTypeConfiguration<SystemVersion>
{
    public void Configure(EntityTypeBuilder<SystemVersion> e)
    {
        e.HasIndex(v => new { v.CompetitionId, v.Number }).IsUnique();
        e.Property(v => v.Name).HasMaxLength(SystemVersion.MaxNameLength);
        e.Property(v => v.PublishedById).HasMaxLength(450);
        e.HasOne<Competition>().WithMany().HasForeignKey(v => v.CompetitionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(v => v.File).WithMany().HasForeignKey(v => v.FileId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>A version's evaluation matched to the competition's items: its holdout (same rows and split as the stored one) and overall rates.</summary>
public sealed record SystemVersionEvaluation(Holdout Holdout, double FeedbackLoss, double ConfirmationLoss, int Items);

/// <summary>
/// Reads a new system version against an evaluation-table competition: the one path for the organizer's preview and
/// publishing and for the job that re-tests the findings. The upload holds all the competition's items — the public
/// part and the holdout — and is split the way the stored table was, by item id.
/// </summary>
public static class SystemVersions
{
    /// <summary>Whether the competition measures an evaluation table (its metric judges loss columns, not predictions).</summary>
    public static bool TakesVersions(this Competition competition) => !competition.Metric.Definition().ScoresPredictions;

    /// <summary>The transcripts an upload without loss columns is read from: the speech demo's columns, compared by the metric's unit.</summary>
    public static EvaluationVersion.Transcripts TranscriptsFor(Metric metric) =>
        EvaluationVersion.Transcripts.Words with { Unit = metric == Metric.Cer ? ErrorUnit.Character : ErrorUnit.Word };

    /// <summary>Reads an uploaded evaluation as the wizard reads data files (kinds inferred, a header line).</summary>
    public static Dataset Read(byte[] content) => CompetitionData.LoadDataset(content, null);

    /// <summary>The competition's stored public part and holdout, as the engine reads them.</summary>
    public static async Task<IReadOnlyList<Dataset>> PartsAsync(ApplicationDbContext db, Competition competition, CancellationToken ct)
    {
        var ids = new[] { competition.TrainingFileId, competition.HoldoutFileId };
        var files = await db.StoredFiles.AsNoTracking().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, ct);
        return ids.Select(id => id is { } key && files.TryGetValue(key, out var file)
                ? CompetitionData.LoadDataset(file.Content, file.LoadSchemaJson)
                : throw new InvalidOperationException($"competition {competition.Id} lacks its public or holdout file"))
            .ToArray();
    }

    /// <summary>Matches <paramref name="upload"/> to the stored parts and measures it on the holdout's two parts.</summary>
    /// <exception cref="ScoringInputException">The upload does not evaluate exactly the competition's items (the engine's message).</exception>
    public static SystemVersionEvaluation Evaluate(Competition competition, IReadOnlyList<Dataset> parts, Dataset upload, string fileName)
    {
        var matched = EvaluationVersion.Match(upload, parts, fileName, TranscriptsFor(competition.Metric));
        return Measure(competition, matched[^1]) with { Items = upload.RowCount };
    }

    /// <summary>A holdout table (the stored one: version 0, or a version's) split as the competition splits it, and its two parts' rates.</summary>
    public static SystemVersionEvaluation Measure(Competition competition, Dataset holdoutPart)
    {
        var settings = competition.ScoringSettings();
        var holdout = Holdout.Create(holdoutPart, settings.FeedbackShare, settings.SplitSeed);
        return new SystemVersionEvaluation(holdout, holdout.LossSums(holdout.Feedback).Ratio, holdout.ConfirmationRatioSums!.Value.Ratio, holdout.RowCount);
    }

    /// <summary>The competition's published schema (the stored one carries the item id column).</summary>
    public static DatasetSchema Schema(this Competition competition) =>
        JsonSerializer.Deserialize<DatasetSchema>(competition.SchemaJson, SchemaFile.Json)
            ?? throw new InvalidOperationException($"competition {competition.Id} has no schema");
}
