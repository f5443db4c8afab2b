using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Organize;
using static BiasBounty.Web.Tests.Organize.OrganizeTestData;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>The wizard's data steps and their messages, without a database.</summary>
public sealed class CompetitionDraftTests
{
    private static readonly CompetitionSettings Settings = new();

    private static CompetitionDraft TwoFiles(string training, string holdout)
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("train.csv", Text(training)));
        Assert.Null(draft.UploadHoldout("holdout.csv", Text(holdout)));
        return draft;
    }

    [Fact]
    public void Upload_NamesTheLine_WhenAQuoteIsNotClosed()
    {
        var message = new CompetitionDraft().UploadTraining("train.csv", Text("age,colour,y\n20,red,yes\n21,\"blue,no\n"));
        Assert.NotNull(message);
        Assert.StartsWith("The training file could not be read:", message);
        Assert.Contains("Line 3: expected 3 fields, found 2", message);
    }

    [Fact]
    public void Upload_NamesTheLine_WhenARowHasTooFewFields()
    {
        var message = new CompetitionDraft().UploadHoldout("holdout.csv", Text("age,colour,y\n20,red,yes\n21,secret-value\n"));
        Assert.NotNull(message);
        Assert.Contains("Line 3: expected 3 fields, found 2", message);
        Assert.DoesNotContain("secret-value", message);
    }

    [Fact]
    public void Upload_RefusesAFileThatIsNotCsvOrTsv()
    {
        var message = new CompetitionDraft().UploadTraining("model.parquet", Text(Table(10)));
        Assert.Equal("The training file must be CSV or TSV (.csv, .tsv or .txt, optionally gzip-compressed as .gz); 'model.parquet' is not.", message);
    }

    [Fact]
    public void Upload_RefusesAnEmptyFile_AndAHeaderWithoutRows()
    {
        Assert.Equal("The data file is empty.", new CompetitionDraft().UploadCombined("all.csv", []));
        Assert.Equal("The data file could not be read: The file has a header but no data rows.", new CompetitionDraft().UploadCombined("all.csv", Text("age,colour,y\n")));
    }

    [Fact]
    public void Upload_ReadsGzipAndTsv()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("train.tsv.gz", Gzip(Text(Table(30).Replace(',', '\t')))));
        Assert.Equal(30, draft.Training!.Data.RowCount);
        Assert.Equal(["age", "colour", "y"], draft.Profile().Select(p => p.Name));
    }

    [Fact]
    public void UploadHoldout_NamesTheDifference_WhenItsColumnsAreNotTheTrainingFiles()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("train.csv", Text(Table(30))));
        var message = draft.UploadHoldout("holdout.csv", Text(Table(30, "age,shade,y")));
        Assert.Equal("The holdout file must have the training file's columns: it lacks 'colour'; it has 'shade' that the training file does not.", message);
        Assert.Equal("The holdout file must have the training file's columns: the same columns are in a different order.",
            draft.UploadHoldout("holdout.csv", Text("colour,age,y\nred,20,yes\n")));
        Assert.Null(draft.Holdout);
    }

    [Fact]
    public void Upload_AHeaderlessFileWithItsSchema_ReadsTheSchemasColumns()
    {
        var draft = new CompetitionDraft();

        Assert.Null(draft.UploadCombined("german-credit.data.gz", GermanCredit, GermanCreditSchema));

        Assert.Equal(1_000, draft.Combined!.Data.RowCount);
        Assert.False(draft.Combined.HasHeader);
        Assert.Contains("duration", draft.Profile().Select(p => p.Name));
        Assert.Null(draft.ConfirmSchema(draft.Combined.Data.Schema.LabelColumn, draft.Combined.Data.Schema.PositiveClass, [], Metric.Error));
        Assert.Equal(300, draft.HoldoutFile!.Load().RowCount);
    }

    [Fact]
    public void Upload_AHeaderlessTrainingAndHoldoutWithTheirSchema_StoresThemHeaderless()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("german-credit.data.gz", GermanCredit, GermanCreditSchema));
        Assert.Null(draft.UploadHoldout("german-credit.data.gz", GermanCredit, GermanCreditSchema));

        Assert.Null(draft.ConfirmSchema(draft.Training!.Data.Schema.LabelColumn, draft.Training.Data.Schema.PositiveClass, [], Metric.Error));

        Assert.Equal(1_000, draft.TrainingFile!.Load().RowCount);
        Assert.Equal(1_000, draft.HoldoutFile!.Load().RowCount);
    }

    [Fact]
    public void Upload_AHeaderlessFileWithoutItsSchema_SaysToUploadTheSchema()
    {
        var message = new CompetitionDraft().UploadCombined("german-credit.data.gz", GermanCredit);

        Assert.NotNull(message);
        Assert.EndsWith("If the file has no header line, upload its .schema.json file with it.", message);
    }

    [Fact]
    public void Upload_AnInvalidSchemaFile_IsRefused() =>
        Assert.Equal("The schema file of the data file is not a valid .schema.json file (see deploy/demo-data/README.md for its form).",
            new CompetitionDraft().UploadCombined("german-credit.data.gz", GermanCredit, Text("{ not json")));

    [Fact]
    public void Feasibility_GermanCreditWithTheDefaults_NothingIsTestable()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("german-credit.data.gz", GermanCredit, GermanCreditSchema));
        Assert.Null(draft.ConfirmSchema(draft.Combined!.Data.Schema.LabelColumn, draft.Combined.Data.Schema.PositiveClass, [], Metric.Error));

        var feasibility = draft.Feasibility(Settings)!;

        Assert.False(feasibility.AnyTestable);
        Assert.Equal((120, 180), (feasibility.FeedbackRows, feasibility.ConfirmationRows));
        Assert.True(draft.Feasibility(Settings with { MinGroupRows = 12 })!.SensibleRangeTestable);
    }

    [Fact]
    public void ConfirmSchema_WithNumericCodesMadeCategorical_StoresThemCategorical()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("acs-income-2018-WY.csv.gz", Wyoming));
        Assert.Equal(ColumnKind.Numeric, draft.Combined!.Data.Schema.Columns.Single(c => c.Name == "SEX").Kind);

        Assert.Null(draft.ConfirmSchema("PINCP", null, [], Metric.Error,
            new Dictionary<string, ColumnKind> { ["SEX"] = ColumnKind.Categorical, ["RAC1P"] = ColumnKind.Categorical }));

        Assert.Equal(ColumnKind.Categorical, draft.Schema!.Columns.Single(c => c.Name == "RAC1P").Kind);
        Assert.IsType<CategoricalColumn>(draft.HoldoutFile!.Load().Columns.Single(c => c.Name == "SEX"));
        Assert.IsType<CategoricalColumn>(draft.TrainingFile!.Load().Columns.Single(c => c.Name == "SEX"));
        Assert.Null(draft.TrainBaseline(Settings));
    }

    [Fact]
    public void ConfirmSchema_AsksForTheLabel()
    {
        var draft = TwoFiles(Table(30), Table(30));
        Assert.Equal("Pick the label column: the one the model predicts.", draft.ConfirmSchema(null, null, [], Metric.Error));
        Assert.Equal("The label column cannot also be hidden.", draft.ConfirmSchema("y", "high", ["y"], Metric.Error));
        Assert.Equal("Keep at least one column as a feature: models and groups need one.", draft.ConfirmSchema("y", "high", ["age", "colour"], Metric.Error));
    }

    [Fact]
    public void ConfirmSchema_AsksForThePositiveClass_WhenNeitherValueIsConventional()
    {
        var draft = TwoFiles(Table(30), Table(30));
        Assert.Equal("Pick the positive class of the label 'y': which of its two values counts as 1.", draft.ConfirmSchema("y", null, [], Metric.Error));
        Assert.Equal("'maybe' is not a value of the label 'y'; pick one of its values.", draft.ConfirmSchema("y", "maybe", [], Metric.Error));
        Assert.Null(draft.ConfirmSchema("y", "high", ["colour"], Metric.Error));
        Assert.Equal("high", draft.Schema!.PositiveClass);
        Assert.Equal(["age"], draft.Schema.Features.Select(f => f.Name));
    }

    [Fact]
    public void ConfirmSchema_RefusesALabelWithThreeValues()
    {
        var draft = TwoFiles(Table(30, label: i => (i % 3).ToString() + "x"), Table(30, label: i => (i % 3).ToString() + "x"));
        var message = draft.ConfirmSchema("y", null, [], Metric.Error);
        Assert.Equal("The label column 'y' has 3 distinct values; a classification label needs exactly 2 (a numeric label with more values is a regression label: leave the positive class empty).", message);
    }

    [Fact]
    public void ConfirmSchema_RefusesAMetricThatDoesNotFitTheLabel()
    {
        var draft = TwoFiles(Table(30), Table(30));
        var message = draft.ConfirmSchema("y", "high", [], Metric.Squared);
        Assert.NotNull(message);
        Assert.Contains("squared", message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ConfirmSchema_DoesNotQuoteTheHoldout_WhenItsLabelHasOtherClasses()
    {
        var draft = TwoFiles(Table(30), Table(30, label: i => i % 2 == 0 ? "secret-a" : "secret-b"));
        var message = draft.ConfirmSchema("y", "high", [], Metric.Error);
        Assert.Equal("The holdout's label column 'y' must hold the training file's two classes and no missing values.", message);
    }

    [Fact]
    public void ConfirmSchema_NamesLineAndColumn_WhenAHoldoutValueDoesNotFitTheColumnKind()
    {
        var draft = TwoFiles(Table(30), Table(3) + "secret-age,red,yes\n");
        var message = draft.ConfirmSchema("y", "high", [], Metric.Error);
        Assert.NotNull(message);
        Assert.StartsWith("The holdout file does not fit the training file's column kinds:", message);
        Assert.EndsWith("Line 5, column 'age': expected a number.", message);
        Assert.DoesNotContain("secret-age", message);
    }

    [Fact]
    public void UseModel_RefusesACorruptOnnxFile()
    {
        var draft = TwoFiles(Table(100), Table(100));
        Assert.Null(draft.ConfirmSchema("y", "high", [], Metric.Error));
        var message = draft.UseModel("model.onnx", Text("this is not a protobuf"), Settings);
        Assert.NotNull(message);
        Assert.StartsWith("The base model cannot be used:", message);
        Assert.Null(draft.Check);
    }

    [Fact]
    public void UseModel_RefusesAModelWhoseInputsAreNotTheFeatureColumns()
    {
        var draft = TwoFiles(Table(100), Table(100));
        Assert.Null(draft.ConfirmSchema("y", "high", [], Metric.Error));
        var message = draft.UseModel("other.onnx", ModelForOtherColumns(), Settings);
        Assert.NotNull(message);
        Assert.StartsWith("The base model cannot be used:", message);
        Assert.EndsWith("The model was trained on the feature columns a, b; this competition's are age, colour.", message);
    }

    [Fact]
    public void UseModel_RefusesOtherExtensions_AndModelsOverTheLimit()
    {
        var draft = TwoFiles(Table(100), Table(100));
        Assert.Null(draft.ConfirmSchema("y", "high", [], Metric.Error));
        Assert.Equal("The base model must be an ONNX file (.onnx); 'model.pkl' is not.", draft.UseModel("model.pkl", [1], Settings));
        Assert.Equal("The base model is 2 MB; the competition's limit is 1 MB.",
            draft.UseModel("big.onnx", new byte[2 * 1024 * 1024], Settings with { MaxModelBytes = 1024 * 1024 }));
    }

    [Fact]
    public void TrainBaseline_NeedsAConfirmedSchema()
    {
        var draft = TwoFiles(Table(100), Table(100));
        Assert.Equal("Confirm the schema first: the baseline is trained on the training file with its label.", draft.TrainBaseline(Settings));
    }

    [Fact]
    public void OneFile_IsSplitStratifiedByLabel_WithAStoredSeed_AndItsBaselineBinds()
    {
        var draft = new CompetitionDraft { HoldoutShare = 0.3 };
        Assert.Null(draft.UploadCombined("acs-income-2018-WY.csv.gz", Wyoming));
        Assert.Null(draft.ConfirmSchema("PINCP", null, ["RAC1P"], Metric.Error));
        Assert.Equal("True", draft.Schema!.PositiveClass);
        Assert.NotNull(draft.DataSplitSeed);
        var training = draft.TrainingFile!.Load();
        var holdout = draft.HoldoutFile!.Load();
        Assert.Equal(3064, training.RowCount + holdout.RowCount);
        Assert.InRange(holdout.RowCount, 915, 925);
        Assert.Equal("acs-income-2018-WY-holdout.csv.gz", draft.HoldoutFile.FileName);

        Assert.Null(draft.TrainBaseline(Settings));
        Assert.InRange(draft.Check!.Percent, 10, 35);
        Assert.Equal("baseline.onnx", draft.ModelName);
    }
}
