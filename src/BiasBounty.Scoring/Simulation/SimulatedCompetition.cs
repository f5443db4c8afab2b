using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Scoring.Simulation;

/// <summary>
/// One competition played by simulated participants: a holdout drawn from a known distribution, its base model, and
/// the scoring state the platform carries from one submission to the next (decision list, ledgers, history), advanced
/// by <see cref="SubmissionScorer.Score"/> exactly as the worker does. Because the distribution is known, every verdict
/// can be checked against the truth: a verified finding or accepted fix with no real effect behind it is false.
/// </summary>
/// <remarks>
/// Outside the planted groups the label is the base rule with <see cref="LabelNoise"/> of flips drawn independently of
/// the features: every group has the same expected error, so there is no structure to find. Inside each planted group
/// the label follows another rule, which its fix knows.
/// </remarks>
public sealed class SimulatedCompetition
{
    public const double LabelNoise = 0.15;

    /// <summary>Feature order of the float tensor (and of <see cref="LinearRule"/> weights).</summary>
    public static readonly string[] Features = ["age", "income", "debt", "tenure", "education", "region", "RAC1P"];

    public static readonly string[] Regions = PlantedBiasGenerator.Regions;
    public static readonly string[] Educations = PlantedBiasGenerator.Educations;

    /// <summary>The public model: approve when income − debt &gt; 30.</summary>
    public static readonly LinearRule BaseRule = new([0, 1, -1, 0, 0, 0, 0], -30);

    private readonly float[] _truth;
    private readonly List<PriorSubmission> _prior = [];
    private readonly List<AcceptedGroup> _accepted = [];
    private int _models;

    public SimulatedCompetition(int rows, int seed, CompetitionSettings? settings = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1_000);
        Settings = settings ?? new CompetitionSettings();
        var random = new Random(seed);
        var age = new float[rows];
        var income = new float[rows];
        var debt = new float[rows];
        var tenure = new float[rows];
        var race = new float[rows];
        var education = new string?[rows];
        var region = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            age[i] = 18 + random.Next(73);
            income[i] = MathF.Round((float)(20 + 80 * random.NextDouble()), 1);
            debt[i] = MathF.Round((float)(60 * random.NextDouble()), 1);
            tenure[i] = random.Next(31);
            race[i] = 1 + random.Next(5);
            education[i] = Educations[random.Next(Educations.Length)];
            region[i] = Regions[random.Next(Regions.Length)];
        }
        var columns = new Column[]
        {
            NumericColumn.FromValues("age", age), NumericColumn.FromValues("income", income),
            NumericColumn.FromValues("debt", debt), NumericColumn.FromValues("tenure", tenure),
            CategoricalColumn.FromValues("education", education), CategoricalColumn.FromValues("region", region),
            NumericColumn.FromValues("RAC1P", race),
        };
        var features = new Dataset(new DatasetSchema(columns.Select(c => new ColumnSpec(c.Name, c.Kind)).ToArray()), columns);
        Planted =
        [
            new PlantedGroup("region == \"South\" and age >= 60", "older applicants in the South: tenure, not debt, drives repayment",
                new LinearRule([0, 1, -0.2f, 2, 0, 0, 0], -60)),
            new PlantedGroup("RAC1P == 2 and age < 30", "young applicants of race code 2: income is under-reported",
                new LinearRule([0, 0.2f, -1, 0, 0, 0, 0], 15)),
            new PlantedGroup("education == \"Graduate\" and tenure >= 20", "long-tenured graduates: debt does not matter",
                new LinearRule([0, 1, 0, 0, 0, 0, 0], -60)),
        ];
        var all = Enumerable.Range(0, rows).ToArray();
        _truth = BaseRule.Predict(features, all);
        var plantedRows = new RowSet(rows);
        foreach (var group in Planted)
        {
            var members = GroupRef.FromExpression(group.Expression);
            var mask = new ModelCatalog(features.Schema, null).Evaluate(members, features);
            var alternative = group.Fix.Predict(features, all);
            foreach (var row in mask.ToIndices()) _truth[row] = alternative[row];
            plantedRows = plantedRows.Or(mask);
        }
        PlantedRows = plantedRows;
        var label = new string?[rows];
        for (var i = 0; i < rows; i++)
            label[i] = (random.NextDouble() < LabelNoise ? 1 - _truth[i] : _truth[i]) == 1f ? "yes" : "no";
        var schema = new DatasetSchema(
            [.. features.Schema.Columns, new ColumnSpec("approved", ColumnKind.Categorical, ColumnRole.Label)],
            LabelColumn: "approved", PositiveClass: "yes");
        Data = new Dataset(schema, [.. columns, CategoricalColumn.FromValues("approved", label)]);
        Holdout = Holdout.Create(Data, Settings.FeedbackShare, Settings.SplitSeed);
        Catalog = new ModelCatalog(schema, Holdout.Label).Add("base", BaseRule);
        for (var i = 0; i < Planted.Count; i++) Catalog.Add(PlantedFixId(i), Planted[i].Fix);
        Model = PointerDecisionList.Create("base", Holdout, Catalog);
        Ledgers = Ledgers.Start(Settings.FdrAlpha);
    }

    public CompetitionSettings Settings { get; }

    /// <summary>The holdout's rows (features and label). Participants never see it; the simulator's truth checks do.</summary>
    public Dataset Data { get; }

    public Holdout Holdout { get; }

    public ModelCatalog Catalog { get; }

    public IReadOnlyList<PlantedGroup> Planted { get; }

    public RowSet PlantedRows { get; }

    public PointerDecisionList Model { get; private set; }

    public Ledgers Ledgers { get; private set; }

    public static string PlantedFixId(int index) => $"planted-fix-{index}";

    /// <summary>The current model as participants can download and run it (the decision list over its models).</summary>
    public IRowPredictor PublicModel => new PublishedModel(Model, Catalog);

    /// <summary>A published decision list as a predictor; its predictions on a dataset are computed once.</summary>
    private sealed class PublishedModel(PointerDecisionList list, ModelCatalog catalog) : IRowPredictor
    {
        private (Dataset Data, float[] Predictions)? _cache;

        public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
        {
            if (_cache is not { } cache || !ReferenceEquals(cache.Data, data)) _cache = cache = (data, list.Predict(data, catalog));
            var result = new float[rows.Length];
            for (var i = 0; i < rows.Length; i++) result[i] = cache.Predictions[rows[i]];
            return result;
        }
    }

    /// <summary>Registers a fix model and returns its id.</summary>
    public string AddFix(IRowPredictor fix)
    {
        var id = $"fix-{++_models}";
        Catalog.Add(id, fix);
        return id;
    }

    /// <summary>Scores a submission against the competition's current state and carries the state forward.</summary>
    public ScoringOutcome Submit(string submissionId, string? team, string expression, string? fixModelId)
    {
        var group = GroupRef.FromExpression(expression);
        var before = Model.Current.HoldoutPredictions;
        var outcome = SubmissionScorer.Score(new ScoringRequest(Settings, Holdout, Model, Ledgers, Catalog,
            new SubmissionHistory(_prior, _accepted), new SubmissionInput(submissionId, group, fixModelId, Settings.Metric, team)));
        Model = outcome.Model;
        Ledgers = outcome.Ledgers;
        if (outcome.Record.Status == ScoreStatus.Scored) _prior.Add(new PriorSubmission(outcome.Record, outcome.Released));
        if (outcome.ModelChanged) _accepted.Add(new AcceptedGroup(submissionId, Catalog.Members(group, Holdout.Data)));
        LastTruth = Truth(outcome.Record, group, before, fixModelId);
        return outcome;
    }

    /// <summary>The truth behind the last submission's verdicts.</summary>
    public ClaimTruth LastTruth { get; private set; } = new(0, 0);

    /// <summary>
    /// Expected loss of a prediction on a row, from the known distribution: the label equals the noiseless truth with
    /// probability 1 − <see cref="LabelNoise"/>.
    /// </summary>
    private double ExpectedError(int row, float prediction) => prediction == _truth[row] ? LabelNoise : 1 - LabelNoise;

    private ClaimTruth Truth(ScoreRecord record, GroupRef group, float[] before, string? fixModelId)
    {
        if (record.Status != ScoreStatus.Scored) return new(0, 0);
        var members = Catalog.Evaluate(group, Holdout.Data);
        double inGroup = 0, rest = 0;
        var groupRows = 0;
        for (var row = 0; row < before.Length; row++)
        {
            var e = ExpectedError(row, before[row]);
            if (members.Contains(row)) { inGroup += e; groupRows++; }
            else rest += e;
        }
        var gap = inGroup / Math.Max(1, groupRows) - rest / Math.Max(1, before.Length - groupRows);
        double gain = 0;
        if (fixModelId is not null)
        {
            var rows = members.ToIndices();
            var fix = Catalog.Predictor(fixModelId).Predict(Holdout.Data, rows);
            for (var i = 0; i < rows.Length; i++) gain += ExpectedError(rows[i], before[rows[i]]) - ExpectedError(rows[i], fix[i]);
            gain /= before.Length;
        }
        return new ClaimTruth(gap, gain);
    }
}

/// <summary>
/// The real effects behind a submission, from the known distribution: the group's expected error gap against the rest
/// (what a finding claims) and the fix's expected overall gain μ(g)·Δ (what a certificate claims).
/// </summary>
public sealed record ClaimTruth(double Gap, double OverallGain);
