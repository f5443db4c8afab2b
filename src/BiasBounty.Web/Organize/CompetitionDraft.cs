using System.Security.Cryptography;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Discovery;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Organize;

/// <summary>An uploaded table as first read: its bytes, what the loader inferred (or read from its schema file), and whether it has a header line.</summary>
public sealed record UploadedTable(string FileName, byte[] Content, Dataset Data, bool HasHeader = true);

/// <summary>
/// The data half of the create-competition wizard, kept in the organizer's circuit until the competition opens:
/// the uploads, the schema chosen from them, and the checked base model. Every step returns null or a message for
/// the organizer; messages about the holdout name lines and columns, never its values.
/// </summary>
public sealed partial class CompetitionDraft
{
    /// <summary>Largest data file accepted (compressed size as uploaded).</summary>
    public const long MaxDataBytes = 200L * 1024 * 1024;

    private static readonly string[] DataExtensions = [".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", ".gz"];

    /// <summary>
    /// Seed of the feedback/confirmation split, chosen once per draft: the base model's check and the opened competition
    /// use the same split, so the error shown here is the leaderboard's version 0.
    /// </summary>
    public int SplitSeed { get; } = RandomNumberGenerator.GetInt32(1, int.MaxValue);

    public UploadedTable? Training { get; private set; }

    public UploadedTable? Holdout { get; private set; }

    /// <summary>One file that the platform splits into training and holdout when the schema is confirmed.</summary>
    public UploadedTable? Combined { get; private set; }

    /// <summary>Share of the combined file's rows that become the holdout.</summary>
    public double HoldoutShare { get; set; } = 0.3;

    /// <summary>The confirmed schema (label, positive class, roles); null until <see cref="ConfirmSchema"/> succeeds.</summary>
    public DatasetSchema? Schema { get; private set; }

    public DataFile? TrainingFile { get; private set; }

    public DataFile? HoldoutFile { get; private set; }

    /// <summary>Seed of the training/holdout split of a combined file.</summary>
    public int? DataSplitSeed { get; private set; }

    public string? ModelName { get; private set; }

    public byte[]? Model { get; private set; }

    /// <summary>The base model's check on the data (null until a model passes), or an evaluation table's version 0.</summary>
    public BaseModelCheck? Check { get; private set; }

    /// <summary>Whether the confirmed schema is an evaluation table (per-row errors and sizes, no label or model).</summary>
    public bool IsEvaluationTable => Schema?.LossErrorsColumn is not null;

    /// <summary>The metric whose unit (words or characters) the errors were counted in, when counted from transcripts.</summary>
    public Metric? CountedWith { get; private set; }

    /// <summary>The table whose schema the organizer chooses from: the training file or the combined file.</summary>
    public UploadedTable? Source => Combined ?? Training;

    public IReadOnlyList<ColumnProfile> Profile() => Source?.Data.Profile() ?? [];

    /// <param name="schemaJson">The file's schema (<c>FILE.schema.json</c>, as the CLI reads beside it), or null to infer one.</param>
    public string? UploadTraining(string fileName, byte[] content, byte[]? schemaJson = null) =>
        Read("training file", fileName, content, schemaJson, table => { Training = table; Combined = null; });

    public string? UploadHoldout(string fileName, byte[] content, byte[]? schemaJson = null) =>
        Read("holdout file", fileName, content, schemaJson, table =>
        {
            if (Training is not null && ColumnDifference(Training.Data, table.Data) is { } difference)
                return "The holdout file must have the training file's columns: " + difference + ".";
            Holdout = table;
            Combined = null;
            return null;
        });

    public string? UploadCombined(string fileName, byte[] content, byte[]? schemaJson = null) =>
        Read("data file", fileName, content, schemaJson, table => { Combined = table; Training = Holdout = null; });

    /// <summary>
    /// Fixes the label, its positive class and the hidden columns; loads the holdout with the same schema (or splits the
    /// combined file, stratified by label, with a new stored seed). Clears an earlier model check.
    /// </summary>
    /// <param name="kinds">Column kinds the organizer changed from the inferred ones (e.g. numeric codes as categorical); null or empty keeps them.</param>
    public string? ConfirmSchema(string? label, string? positiveClass, IReadOnlyCollection<string> hidden, Metric metric,
        IReadOnlyDictionary<string, ColumnKind>? kinds = null)
    {
        Reset();
        if (Source is not { } source) return "Upload the training and holdout files (or one file to split) first.";
        if (Combined is null && Holdout is null) return "Upload the holdout file (or one file that the platform splits) first.";
        if (string.IsNullOrWhiteSpace(label)) return "Pick the label column: the one the model predicts.";
        if (!source.Data.TryGetColumn(label, out _)) return $"'{label}' is not a column of the file.";
        if (hidden.Contains(label)) return "The label column cannot also be hidden.";
        positiveClass = string.IsNullOrWhiteSpace(positiveClass) ? null : positiveClass.Trim();

        var schema = source.Data.Schema with
        {
            Columns = source.Data.Schema.Columns.Select(c => c with
            {
                Role = c.Name == label ? ColumnRole.Label : hidden.Contains(c.Name) ? ColumnRole.Hidden : ColumnRole.Feature,
                Kind = kinds is not null && kinds.TryGetValue(c.Name, out var kind) ? kind : c.Kind,
            }).ToArray(),
            LabelColumn = label,
            PositiveClass = positiveClass,
        };
        if (schema.Features.Count == 0) return "Keep at least one column as a feature: models and groups need one.";

        var (data, kindProblem) = LoadAs(source, schema, "The chosen column kinds do not fit the file: ");
        if (data is null) return kindProblem;
        data.TryGetColumn(label, out var labelColumn);

        var distinct = labelColumn!.DistinctCount();
        if (labelColumn.MissingCount > 0)
            return $"The label column '{label}' has {labelColumn.MissingCount:N0} missing values; every row needs a label.";
        if (distinct > 2 && (labelColumn is CategoricalColumn || positiveClass is not null))
            return $"The label column '{label}' has {distinct:N0} distinct values; a classification label needs exactly 2 " +
                   "(a numeric label with more values is a regression label: leave the positive class empty).";
        LabelDomain domain;
        try
        {
            domain = LabelDomain.Of(data);
        }
        catch (ScoringInputException) when (positiveClass is null)
        {
            return $"Pick the positive class of the label '{label}': which of its two values counts as 1.";
        }
        catch (ScoringInputException) when (positiveClass is not null)
        {
            return $"'{positiveClass}' is not a value of the label '{label}'; pick one of its values.";
        }
        if (metric.Incompatibility(domain.Task, hasLossColumns: false) is { } problem) return Sentence(problem);
        schema = schema with { PositiveClass = domain.PositiveClass };

        return Combined is not null ? Split(Combined.FileName, data.WithSchema(schema), schema, domain) : LoadHoldout(Training!, Holdout!, schema);
    }

    private void Reset()
    {
        Schema = null;
        TrainingFile = HoldoutFile = null;
        Check = null;
        CountedWith = null;
        holdoutData = null;
    }

    /// <summary>An uploaded table read with a confirmed schema: as inferred when the kinds are unchanged, else parsed again.</summary>
    private static (Dataset? Data, string? Problem) LoadAs(UploadedTable table, DatasetSchema schema, string prefix)
    {
        if (schema.Columns.Zip(table.Data.Schema.Columns).All(pair => pair.First.Kind == pair.Second.Kind)) return (table.Data.WithSchema(schema), null);
        try
        {
            return (CsvDatasetLoader.Load(table.Content, table.HasHeader ? new CsvLoadOptions(Schema: schema) : CsvLoadOptions.ForHeaderlessSchema(schema)), null);
        }
        catch (ScoringInputException e)
        {
            return (null, prefix + Sentence(e.Message));
        }
    }

    /// <summary>Uses an uploaded ONNX file as the base model, if it binds to the schema and runs.</summary>
    public string? UseModel(string fileName, byte[] content, CompetitionSettings settings)
    {
        if (!fileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return $"The base model must be an ONNX file (.onnx); '{fileName}' is not.";
        if (content.LongLength > settings.MaxModelBytes)
            return $"The base model is {content.LongLength / 1048576.0:0.#} MB; the competition's limit is {settings.MaxModelBytes / 1048576.0:0.#} MB.";
        return CheckModel(fileName, content, settings);
    }

    /// <summary>Trains a baseline on the training file (logistic or linear regression) and uses it as the base model.</summary>
    public string? TrainBaseline(CompetitionSettings settings)
    {
        if (TrainingFile is null) return "Confirm the schema first: the baseline is trained on the training file with its label.";
        byte[] model;
        try
        {
            model = CompetitionAssembly.TrainBaseline(TrainingFile.Load());
        }
        catch (ScoringInputException e)
        {
            return "The baseline could not be trained: " + Sentence(e.Message);
        }
        return CheckModel("baseline.onnx", model, settings);
    }

    /// <summary>Re-checks the chosen model with the final settings (the feedback share and seed decide the error shown).</summary>
    public string? Recheck(CompetitionSettings settings) =>
        IsEvaluationTable ? CheckEvaluationTable(settings)
        : Model is null || ModelName is null ? "Upload a base model or train a baseline first." : CheckModel(ModelName, Model, settings);

    private string? CheckModel(string fileName, byte[] content, CompetitionSettings settings)
    {
        Check = null;
        if (TrainingFile is null || HoldoutFile is null) return "Confirm the schema first: the model is checked against it.";
        try
        {
            Check = CompetitionAssembly.CheckBaseModel(content, TrainingFile.Load(), HoldoutFile.Load(),
                ModelCatalog.ContentId(HoldoutFile.Content), settings);
        }
        catch (ScoringInputException e)
        {
            return "The base model cannot be used: " + Sentence(e.Message);
        }
        Model = content;
        ModelName = fileName;
        return null;
    }

    /// <summary>
    /// The pre-flight audit of the checked base model on the public training data, when one has run for this model, training
    /// file and metric; null otherwise (a new model, schema or metric asks for a new audit).
    /// </summary>
    public PreflightAudit? Audit(Metric metric) =>
        audit is { } cached && cached.Model == Model && cached.Training == TrainingFile && cached.Metric == metric ? cached.Value : null;

    /// <summary>
    /// Runs the pre-flight audit once per checked model (cached on the draft): the base model's predictions on the PUBLIC
    /// training file searched for groups where it errs more (never the holdout). Null when there is no checked model or
    /// the metric has no 0/1 loss per row (a regression label, an evaluation table).
    /// </summary>
    /// <exception cref="ScoringInputException">The model does not run on the training rows.</exception>
    public PreflightAudit? RunAudit(CompetitionSettings settings)
    {
        var (model, training) = (Model, TrainingFile);
        if (Check is null || model is null || training is null || IsEvaluationTable || !ModelGroupAudit.Supports(settings.Metric)) return null;
        if (Audit(settings.Metric) is { } cached) return cached;
        var value = PreflightAudit.Run(model, training.Load(), settings);
        audit = (model, training, settings.Metric, value);
        return value;
    }

    private (byte[] Model, DataFile Training, Metric Metric, PreflightAudit Value)? audit;

    private string? Split(string fileName, Dataset data, DatasetSchema schema, LabelDomain domain)
    {
        if (HoldoutShare is < 0.05 or > 0.95) return "The holdout share must be between 0.05 and 0.95.";
        var seed = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var strata = domain.Task == TaskKind.Classification ? domain.Encode(data) : new float[data.RowCount];
        var holdoutRows = global::BiasBounty.Scoring.Engine.Holdout.StratifiedSplit(strata, HoldoutShare, seed);
        var stem = Stem(fileName);
        TrainingFile = DataFile.WithSchema(stem + "-training.csv.gz", CsvDatasetWriter.ToBytes(data.SelectRows(holdoutRows.Not().ToIndices())), schema);
        HoldoutFile = DataFile.WithSchema(stem + "-holdout.csv.gz", CsvDatasetWriter.ToBytes(data.SelectRows(holdoutRows.ToIndices())), schema);
        DataSplitSeed = seed;
        Schema = schema;
        return null;
    }

    private string? LoadHoldout(UploadedTable training, UploadedTable holdout, DatasetSchema schema)
    {
        var (holdoutFile, problem) = FitHoldout(holdout, schema);
        if (holdoutFile is null) return problem;
        TrainingFile = DataFile.WithSchema(training.FileName, training.Content, schema, training.HasHeader);
        HoldoutFile = holdoutFile;
        DataSplitSeed = null;
        Schema = schema;
        return null;
    }

    /// <summary>
    /// Reads an uploaded holdout with a confirmed schema (the wizard's, or a running competition's for a fresh holdout):
    /// the same columns in the same order, values that fit the column kinds, and the label's classes. The file to store,
    /// or a message that names lines and columns but never the holdout's values.
    /// </summary>
    public static (DataFile? File, string? Problem) FitHoldout(UploadedTable holdout, DatasetSchema schema)
    {
        if (ColumnDifference(schema.Columns.Select(c => c.Name).ToArray(), holdout.Data) is { } difference)
            return (null, "The holdout file must have the training file's columns: " + difference + ".");
        var holdoutFile = DataFile.WithSchema(holdout.FileName, holdout.Content, schema, holdout.HasHeader);
        try
        {
            var data = holdoutFile.Load();
            try
            {
                LabelDomain.Of(data);
            }
            catch (ScoringInputException)
            {
                // The engine would list the holdout's label values; say what is wrong without them.
                return (null, $"The holdout's label column '{schema.LabelColumn}' must hold the training file's two classes and no missing values.");
            }
        }
        catch (DatasetFormatException e)
        {
            return (null, "The holdout file does not fit the training file's column kinds: " + Sentence(e.Message));
        }
        return (holdoutFile, null);
    }

    private static string? Read(string what, string fileName, byte[] content, byte[]? schemaJson, Func<UploadedTable, string?> accept)
    {
        var (table, problem) = ReadTable(what, fileName, content, schemaJson);
        return table is null ? problem : accept(table);
    }

    /// <summary>Reads an uploaded data file (<paramref name="what"/> names it in messages): CSV or TSV, within the size limit, with rows.</summary>
    public static (UploadedTable? Table, string? Problem) ReadTable(string what, string fileName, byte[] content, byte[]? schemaJson = null)
    {
        if (!DataExtensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            return (null, $"The {what} must be CSV or TSV (.csv, .tsv or .txt, optionally gzip-compressed as .gz); '{fileName}' is not.");
        if (content.LongLength > MaxDataBytes) return (null, $"The {what} is larger than the limit of {MaxDataBytes / 1048576} MB.");
        if (content.Length == 0) return (null, $"The {what} is empty.");
        CsvLoadOptions? options = null;
        if (schemaJson is not null)
        {
            try
            {
                options = CompetitionData.LoadOptions(System.Text.Encoding.UTF8.GetString(schemaJson));
            }
            catch (Exception e) when (e is ScoringInputException or System.Text.Json.JsonException)
            {
                return (null, $"The schema file of the {what} is not a valid .schema.json file (see deploy/demo-data/README.md for its form).");
            }
        }
        Dataset data;
        try
        {
            data = CsvDatasetLoader.Load(content, options);
        }
        catch (ScoringInputException e)
        {
            var hint = schemaJson is null && e.Message.Contains("twice", StringComparison.Ordinal)
                ? " If the file has no header line, upload its .schema.json file with it." : "";
            return (null, $"The {what} could not be read: {Sentence(e.Message)}{hint}");
        }
        if (data.RowCount == 0) return (null, $"The {what} has a header but no rows.");
        return (new UploadedTable(fileName, content, data, options?.ColumnNames is null), null);
    }

    private static string? Read(string what, string fileName, byte[] content, byte[]? schemaJson, Action<UploadedTable> accept) =>
        Read(what, fileName, content, schemaJson, table => { accept(table); return null; });

    /// <summary>
    /// Which group sizes the holdout can test with <paramref name="settings"/> (its eligible rows in the feedback and
    /// confirmation parts of the draft's split); null until the schema is confirmed.
    /// </summary>
    public GroupSizeFeasibility? Feasibility(CompetitionSettings settings)
    {
        if (HoldoutFile is null) return null;
        var key = (settings.Metric, settings.FeedbackShare, settings.MinGroupRows, settings.MinGroupShare, HoldoutFile);
        if (feasibility is { } cached && cached.Key == key) return cached.Value;
        holdoutData ??= HoldoutFile.Load();
        var holdout = global::BiasBounty.Scoring.Engine.Holdout.Create(holdoutData, settings.FeedbackShare, SplitSeed);
        var eligible = settings.Metric.Eligible(holdout.Y);
        var value = GroupSizeFeasibility.Of(eligible.IntersectionCount(holdout.Feedback), eligible.IntersectionCount(holdout.Confirmation), settings);
        feasibility = (key, value);
        return value;
    }

    private Dataset? holdoutData;
    private ((Metric, double, int, double, DataFile) Key, GroupSizeFeasibility Value)? feasibility;

    /// <summary>How two tables' column lists differ (names and order), or null when they are the same.</summary>
    private static string? ColumnDifference(Dataset training, Dataset holdout) =>
        ColumnDifference(training.Columns.Select(c => c.Name).ToArray(), holdout);

    public static string? ColumnDifference(string[] expected, Dataset holdout)
    {
        var actual = holdout.Columns.Select(c => c.Name).ToArray();
        if (expected.SequenceEqual(actual)) return null;
        var missing = expected.Except(actual).ToArray();
        var extra = actual.Except(expected).ToArray();
        var parts = new List<string>();
        if (missing.Length > 0) parts.Add("it lacks " + string.Join(", ", missing.Select(n => $"'{n}'")));
        if (extra.Length > 0) parts.Add("it has " + string.Join(", ", extra.Select(n => $"'{n}'")) + " that the training file does not");
        if (parts.Count == 0) parts.Add("the same columns are in a different order");
        return string.Join("; ", parts);
    }

    private static string Stem(string fileName)
    {
        var name = Path.GetFileName(fileName);
        foreach (var suffix in new[] { ".gz", ".csv", ".tsv", ".txt" })
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) name = name[..^suffix.Length];
        return name.Length == 0 ? "data" : name;
    }

    /// <summary>An engine message (lower-case, no full stop) as a sentence.</summary>
    public static string Sentence(string message) =>
        message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..] + (message.EndsWith('.') ? "" : ".");
}
