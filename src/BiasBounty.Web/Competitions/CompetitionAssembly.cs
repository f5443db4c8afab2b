using System.Text.Json;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Competitions;

/// <summary>A data file as it will be stored: its bytes and how to read them (a <c>SchemaFile</c> as JSON).</summary>
public sealed record DataFile(string FileName, byte[] Content, string LoadSchemaJson)
{
    public static DataFile WithSchema(string fileName, byte[] content, DatasetSchema schema, bool hasHeader = true) =>
        new(fileName, content, JsonSerializer.Serialize(new SchemaFile(schema, hasHeader), SchemaFile.Json));

    public Dataset Load() => CompetitionData.LoadDataset(Content, LoadSchemaJson);
}

/// <summary>The base model checked against a competition's data: decision-list version 0 and its feedback-part loss.</summary>
public sealed record BaseModelCheck(string ListJson, double FeedbackLoss)
{
    /// <summary>The loss as the leaderboard shows it: a percentage rounded to 0.1 (NaN for loss-column competitions).</summary>
    public double Percent => Math.Round(FeedbackLoss * 100, 1);
}

/// <summary>
/// Puts a competition together from its files and base model: the one path for the demo seeder and the organizer's
/// wizard. <see cref="CheckBaseModel"/> is pure (no database); <see cref="SaveAsync"/> writes everything.
/// </summary>
public sealed class CompetitionAssembly(ApplicationDbContext db, TimeProvider time)
{
    /// <summary>A baseline trained on the public training data: logistic for a class label, linear for a numeric one.</summary>
    public static byte[] TrainBaseline(Dataset training)
    {
        var label = LabelDomain.Of(training);
        return label.Task == TaskKind.Classification
            ? LogisticRegressionTrainer.Train(training, label).ToOnnx()
            : LinearRegressionTrainer.Train(training, label).ToOnnx();
    }

    /// <summary>
    /// Binds the base model to the schema, smoke-tests it on the first <see cref="OnnxModel.SmokeRows"/> training rows,
    /// then predicts the holdout as version 0 of the decision list.
    /// </summary>
    /// <exception cref="ScoringInputException">
    /// The model does not bind or fails the smoke run (the engine's message, about public rows only), or it fails on the
    /// holdout (a message that names nothing from the holdout).
    /// </exception>
    public static BaseModelCheck CheckBaseModel(byte[] model, Dataset training, Dataset holdoutData, string holdoutHash, CompetitionSettings settings)
    {
        var holdout = Holdout.Create(holdoutData, settings.FeedbackShare, settings.SplitSeed, holdoutHash);
        if (holdout.Label is { } label && settings.Metric.Incompatibility(label.Task, holdout.LossErrors is not null) is { } problem)
            throw new ScoringInputException(problem);
        // The training file's category codes are the ones the data card publishes for float-tensor models.
        using var catalog = new ModelCatalog(holdout.Data.Schema, holdout.Label, new ModelLimits(settings.MaxModelBytes), FeatureCoding.Of(training));
        var smoke = training.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, training.RowCount)).ToArray());
        var baseId = catalog.AddOnnx(model, ModelRole.Predictor, smoke, ModelTrust.Trusted);
        PointerDecisionList list;
        try
        {
            list = PointerDecisionList.Create(baseId, holdout, catalog);
        }
        catch (ScoringInputException)
        {
            // The engine's message could quote a holdout value; say what happened without it.
            throw new ScoringInputException(
                "the model binds and runs on the training rows but failed on the holdout rows; check that it accepts every value and missing values of each feature");
        }
        return new BaseModelCheck(list.ToJson(), CompetitionData.FeedbackLoss(list, holdout, settings));
    }

    /// <summary>
    /// Version 0 of an evaluation-table competition (word or character error rate): the table is the system's
    /// evaluation, so there is no model to check; the holdout must carry the loss columns the metric scores.
    /// </summary>
    /// <exception cref="ScoringInputException">The metric does not score an evaluation table, or the table lacks its loss columns.</exception>
    public static BaseModelCheck CheckEvaluationTable(Dataset holdoutData, string holdoutHash, CompetitionSettings settings)
    {
        if (settings.Metric.Definition().ScoresPredictions)
            throw new ScoringInputException($"{settings.Metric.Name()} scores a model's predictions; an evaluation table is scored by wer, cer or lossColumn");
        var holdout = Holdout.Create(holdoutData, settings.FeedbackShare, settings.SplitSeed, holdoutHash);
        if (settings.Metric.Incompatibility(TaskKind.Regression, holdout.LossErrors is not null) is { } problem) throw new ScoringInputException(problem);
        var list = PointerDecisionList.ForEvaluationTable(holdout);
        return new BaseModelCheck(list.ToJson(), CompetitionData.FeedbackLoss(list, holdout, settings));
    }

    /// <summary>
    /// Stores the competition, its training, holdout and model files, decision-list version 0 and fresh ledgers.
    /// The competition's settings, metric and split seed must be the ones <paramref name="check"/> was computed with.
    /// </summary>
    public Task SaveAsync(Competition competition, DataFile training, DataFile holdout, string modelName, byte[] model,
        BaseModelCheck check, CancellationToken ct) =>
        SaveCoreAsync(competition, training, holdout, (modelName, model), check, ct);

    /// <summary>Stores an evaluation-table competition: as <see cref="SaveAsync"/>, without a model file.</summary>
    public Task SaveEvaluationTableAsync(Competition competition, DataFile training, DataFile holdout, BaseModelCheck check, CancellationToken ct) =>
        SaveCoreAsync(competition, training, holdout, null, check, ct);

    private async Task SaveCoreAsync(Competition competition, DataFile training, DataFile holdout, (string Name, byte[] Content)? model,
        BaseModelCheck check, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var trainingStored = StoredFile.Create(competition.Id, StoredFileKind.Training, training.FileName, training.Content, training.LoadSchemaJson);
        var holdoutStored = StoredFile.Create(competition.Id, StoredFileKind.Holdout, holdout.FileName, holdout.Content, holdout.LoadSchemaJson);
        db.Competitions.Add(competition);
        db.StoredFiles.AddRange(trainingStored, holdoutStored);
        if (model is { } m) db.StoredFiles.Add(StoredFile.Create(competition.Id, StoredFileKind.Model, m.Name, m.Content));
        await db.SaveChangesAsync(ct); // the files first: the competition points at them and they at it
        competition.TrainingFileId = trainingStored.Id;
        competition.HoldoutFileId = holdoutStored.Id;
        db.DecisionListVersions.Add(new DecisionListVersion
        {
            CompetitionId = competition.Id, Version = 0, ListJson = check.ListJson, CreatedAt = now, FeedbackLoss = check.FeedbackLoss,
        });
        db.Ledgers.Add(new CompetitionLedger { CompetitionId = competition.Id, Ledgers = Ledgers.Start(competition.Settings.FdrAlpha), UpdatedAt = now });
        await db.SaveChangesAsync(ct);
    }
}
