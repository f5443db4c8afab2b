using System.Security.Cryptography;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Text;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Organize;

/// <summary>An uploaded table as first read: its bytes, what the loader inferred (or read from its schema file), and whether it has a header line.</summary>
public sealed record UploadedTable(string FileName, byte[] Content, Dataset Data, bool HasHeader = true);

/// <summary>
/// How the organizer marks an evaluation table's columns: the speaker (cluster) column, hidden columns, and either the
/// per-row errors and size columns or a reference and a hypothesis transcript column from which the platform counts
/// the errors. Every other column is a feature (accent, noise, device…).
/// </summary>
public sealed record EvaluationColumns(
    string? Speaker,
    IReadOnlyCollection<string> Hidden,
    string? Errors = null,
    string? Size = null,
    string? Reference = null,
    string? Hypothesis = null)
{
    /// <summary>Whether the errors are to be counted from transcripts rather than read from the table.</summary>
    public bool FromTranscripts => Reference is not null || Hypothesis is not null;
}

/// <summary>
/// The data half of the create-competition wizard, kept in the organizer's circuit until the competition opens:
/// the uploads, the schema chosen from them, and the checked base model. Every step returns null or a message for
/// the organizer; messages about the holdout name lines and columns, never its values.
/// </summary>
public sealed class CompetitionDraft
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

    /// <summary>
    /// Confirms an evaluation table (one row per evaluated item): checks the errors and sizes (or counts them from the
    /// transcripts with <see cref="TextNormalization.Default"/>, in words for wer and characters for cer), names the
    /// speaker as the cluster column, then splits a single file by speaker with a new stored seed (no speaker on both
    /// sides) or reads the holdout with the same columns, and computes version 0: the table's error rate on the feedback part.
    /// </summary>
    /// <param name="kinds">Column kinds the organizer changed from the inferred ones; null or empty keeps them.</param>
    public string? ConfirmEvaluationTable(EvaluationColumns columns, CompetitionSettings settings, IReadOnlyDictionary<string, ColumnKind>? kinds = null)
    {
        Reset();
        if (Source is not { } source) return "Upload the evaluation table (or a public table and a holdout table) first.";
        if (Combined is null && Holdout is null) return "Upload the holdout table (or one table that the platform splits) first.";
        var metric = settings.Metric;
        if (metric is not (Metric.Wer or Metric.Cer))
            return "Choose wer or cer as the metric in step 1: an evaluation table is judged by its word or character error rate.";
        if (ColumnsProblem(columns, source.Data) is { } columnsProblem) return columnsProblem;

        string[] loss = columns.FromTranscripts ? [] : [columns.Errors!, columns.Size!];
        string[] texts = columns.FromTranscripts ? [columns.Reference!, columns.Hypothesis!] : [];
        var schema = new DatasetSchema(
            source.Data.Schema.Columns.Select(c => c with
            {
                Role = loss.Contains(c.Name) ? ColumnRole.Loss
                    : c.Name == columns.Speaker || texts.Contains(c.Name) || columns.Hidden.Contains(c.Name) ? ColumnRole.Hidden : ColumnRole.Feature,
                // Counts are numbers and transcripts are text whatever they look like ("007" must stay "007").
                Kind = loss.Contains(c.Name) ? ColumnKind.Numeric : texts.Contains(c.Name) ? ColumnKind.Categorical
                    : kinds is not null && kinds.TryGetValue(c.Name, out var kind) ? kind : c.Kind,
            }).ToArray(),
            LossErrorsColumn: columns.FromTranscripts ? null : columns.Errors,
            LossSizeColumn: columns.FromTranscripts ? null : columns.Size,
            ClusterColumn: columns.Speaker);
        if (schema.Features.Count == 0) return "Keep at least one column as a feature (such as accent or noise): groups are described by them.";

        var what = Combined is not null ? "data file" : "public file";
        var (publicPart, problem) = Evaluate(source, schema, columns, metric, what);
        if (publicPart is null) return problem;
        if (Combined is not null)
        {
            problem = SplitBySpeaker(Combined.FileName, publicPart);
        }
        else
        {
            var (hidden, holdoutProblem) = Evaluate(Holdout!, schema, columns, metric, "holdout file");
            problem = hidden is null ? holdoutProblem : UseHoldout(Training!, publicPart, hidden);
        }
        if (problem is not null)
        {
            Reset();
            return problem;
        }
        CountedWith = columns.FromTranscripts ? metric : null;
        Schema = publicPart.Schema;
        var check = CheckEvaluationTable(settings);
        if (check is not null) Reset();
        return check;
    }

    /// <summary>Whether the organizer's column choices name distinct columns of the table, with a speaker.</summary>
    private static string? ColumnsProblem(EvaluationColumns columns, Dataset table)
    {
        if (string.IsNullOrWhiteSpace(columns.Speaker))
            return "Pick the column that identifies the speaker (or whoever produced each row): rows of one speaker are tested together.";
        string?[] chosen = columns.FromTranscripts ? [columns.Reference, columns.Hypothesis] : [columns.Errors, columns.Size];
        if (columns.FromTranscripts)
        {
            if (string.IsNullOrWhiteSpace(columns.Reference)) return "Pick the reference column: the transcript of what was said.";
            if (string.IsNullOrWhiteSpace(columns.Hypothesis)) return "Pick the hypothesis column: the transcript the system produced.";
        }
        else
        {
            if (string.IsNullOrWhiteSpace(columns.Errors)) return "Pick the errors column: each row's number of errors (for example word errors).";
            if (string.IsNullOrWhiteSpace(columns.Size)) return "Pick the size column: what each row's errors are counted out of (for example reference words).";
        }
        foreach (var name in chosen.Prepend(columns.Speaker))
            if (!table.TryGetColumn(name!, out _)) return $"'{name}' is not a column of the file.";
        if (chosen.Prepend(columns.Speaker).Distinct().Count() != 3)
            return columns.FromTranscripts
                ? "The speaker, the reference and the hypothesis must be three different columns."
                : "The speaker, the errors and the size must be three different columns.";
        return null;
    }

    /// <summary>
    /// One uploaded table as an evaluation table: read with the schema, every row checked (a speaker, errors ≥ 0 and a
    /// size above 0, or a reference transcript), errors counted from transcripts. Messages name the file, line and
    /// column, never a value.
    /// </summary>
    private static (Dataset? Table, string? Problem) Evaluate(UploadedTable table, DatasetSchema schema, EvaluationColumns columns, Metric metric, string what)
    {
        if (ColumnDifference(schema.Columns.Select(c => c.Name).ToArray(), table.Data) is { } difference)
            return (null, $"The {what} must have the public file's columns: {difference}.");
        var (data, problem) = LoadAs(table, schema, $"The {what} does not fit the chosen columns: ");
        if (data is null) return (null, problem);
        var firstLine = table.HasHeader ? 2 : 1;
        var speaker = data[columns.Speaker!];
        for (var row = 0; row < data.RowCount; row++)
            if (speaker.IsMissing(row))
                return (null, $"The {what}, line {row + firstLine}, column '{speaker.Name}': the speaker is missing; every row needs one.");
        if (!columns.FromTranscripts) return CountsProblem(data, schema, what, firstLine) is { } countsProblem ? (null, countsProblem) : (data, null);
        try
        {
            var unit = metric == Metric.Cer ? ErrorUnit.Character : ErrorUnit.Word;
            return (EvaluationTable.FromTranscripts(data, columns.Reference!, columns.Hypothesis!, columns.Speaker, unit, TextNormalization.Default, $"The {what}").Table, null);
        }
        catch (ArgumentException)
        {
            return (null, $"A transcript in the {what} is longer than {EditDistance.MaxTextLength:N0} characters; an evaluation row is one utterance, document or response.");
        }
        catch (ScoringInputException e)
        {
            return (null, Sentence(e.Message));
        }
    }

    /// <summary>Every row's errors must be a number of at least 0 and its size more than 0.</summary>
    private static string? CountsProblem(Dataset data, DatasetSchema schema, string what, int firstLine)
    {
        var errors = (NumericColumn)data[schema.LossErrorsColumn!];
        var sizes = (NumericColumn)data[schema.LossSizeColumn!];
        for (var row = 0; row < data.RowCount; row++)
        {
            var line = row + firstLine;
            if (errors.IsMissing(row)) return $"The {what}, line {line}, column '{errors.Name}': the number of errors is missing; every row needs one.";
            if (sizes.IsMissing(row)) return $"The {what}, line {line}, column '{sizes.Name}': the size is missing; every row needs one.";
            if (!(errors.Values[row] >= 0) || float.IsInfinity(errors.Values[row]))
                return $"The {what}, line {line}, column '{errors.Name}': errors must be a number of 0 or more.";
            if (!(sizes.Values[row] > 0) || float.IsInfinity(sizes.Values[row]))
                return $"The {what}, line {line}, column '{sizes.Name}': the size must be more than 0 (a row with nothing to count has no error rate).";
        }
        return null;
    }

    /// <summary>Splits one evaluation table into a public part and the holdout by whole speakers, with a new stored seed.</summary>
    private string? SplitBySpeaker(string fileName, Dataset table)
    {
        if (HoldoutShare is < 0.05 or > 0.95) return "The holdout share must be between 0.05 and 0.95.";
        var speakers = global::BiasBounty.Scoring.Engine.Holdout.ClusterIds(table, table.Schema.ClusterColumn!);
        var seed = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var holdoutRows = global::BiasBounty.Scoring.Engine.Holdout.ClusterSplit(speakers, HoldoutShare, seed);
        var publicRows = holdoutRows.Not();
        if (SpeakerCount(speakers, holdoutRows) < 2 || publicRows.Count() == 0)
            return $"The file has {speakers.Distinct().Count():N0} speakers: too few to split by speaker. The public part needs at least one speaker " +
                   "and the holdout at least two (its feedback and confirmation parts each get whole speakers).";
        var stem = Stem(fileName);
        TrainingFile = DataFile.WithSchema(stem + "-public.csv.gz", CsvDatasetWriter.ToBytes(table.SelectRows(publicRows.ToIndices())), table.Schema);
        HoldoutFile = DataFile.WithSchema(stem + "-holdout.csv.gz", CsvDatasetWriter.ToBytes(table.SelectRows(holdoutRows.ToIndices())), table.Schema);
        DataSplitSeed = seed;
        return null;
    }

    /// <summary>A public table and a holdout table uploaded separately: no speaker may be in both, and the holdout needs two.</summary>
    private string? UseHoldout(UploadedTable training, Dataset publicPart, Dataset hidden)
    {
        var speaker = publicPart.Schema.ClusterColumn!;
        var publicSpeakers = Values(publicPart[speaker]).ToHashSet();
        var shared = Values(hidden[speaker]).Distinct().Count(publicSpeakers.Contains);
        if (shared > 0)
            return (shared == 1 ? "1 speaker of the holdout file is" : $"{shared:N0} speakers of the holdout file are") + " also in the public file; a speaker must be on one side only " +
                   "(or upload one file and let the platform split it by speaker).";
        if (Values(hidden[speaker]).Distinct().Count() < 2)
            return "The holdout file has fewer than two speakers; its feedback and confirmation parts each need whole speakers.";
        TrainingFile = DataFile.WithSchema(Stem(training.FileName) + ".csv.gz", CsvDatasetWriter.ToBytes(publicPart), publicPart.Schema);
        HoldoutFile = DataFile.WithSchema(Stem(Holdout!.FileName) + "-holdout.csv.gz", CsvDatasetWriter.ToBytes(hidden), hidden.Schema);
        DataSplitSeed = null;
        return null;

        static IEnumerable<string?> Values(Column column) => Enumerable.Range(0, column.Length).Select(column.FormatValue);
    }

    private static int SpeakerCount(int[] speakers, RowSet rows) => rows.ToIndices().Select(i => speakers[i]).Distinct().Count();

    /// <summary>Version 0 of an evaluation table with <paramref name="settings"/>: its error rate on the feedback part.</summary>
    private string? CheckEvaluationTable(CompetitionSettings settings)
    {
        Check = null;
        if (HoldoutFile is null || !IsEvaluationTable) return "Confirm the table's columns first.";
        if (CountedWith is { } counted && counted != settings.Metric)
            return $"The errors were counted for {counted.Name()}; the metric is now {settings.Metric.Name()}. Confirm the table's columns again to count them anew.";
        try
        {
            Check = CompetitionAssembly.CheckEvaluationTable(HoldoutFile.Load(), ModelCatalog.ContentId(HoldoutFile.Content), settings);
        }
        catch (ScoringInputException)
        {
            // The engine's message could name a holdout row; the rows were checked above, so this is the metric's fit.
            return $"The holdout cannot be scored by {settings.Metric.Name()}; check the errors and size columns.";
        }
        return null;
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

    private static string? ColumnDifference(string[] expected, Dataset holdout)
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
    private static string Sentence(string message) =>
        message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..] + (message.EndsWith('.') ? "" : ".");
}
