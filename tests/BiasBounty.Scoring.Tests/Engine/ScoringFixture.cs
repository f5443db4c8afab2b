using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Synthetic;

namespace BiasBounty.Scoring.Tests.Engine;

/// <summary>A synthetic competition with its holdout, base model and scoring state, for engine tests.</summary>
public sealed class ScoringFixture
{
    public ScoringFixture(int rows = 20_000, int seed = 1, bool plantedEffect = true, CompetitionSettings? settings = null)
    {
        Synthetic = PlantedBiasGenerator.Tabular(rows, seed, plantedEffect: plantedEffect);
        Settings = settings ?? new CompetitionSettings();
        Holdout = Holdout.Create(Synthetic.Data, Settings.FeedbackShare, Settings.SplitSeed);
        Catalog = new ModelCatalog(Synthetic.Data.Schema, Holdout.Label).Add("base", Synthetic.BaseModel);
        for (var i = 0; i < Synthetic.Planted.Count; i++) Catalog.Add($"fix-{i}", Synthetic.Planted[i].Fix);
        Model = InitialModel = PointerDecisionList.Create("base", Holdout, Catalog);
        Ledgers = Ledgers.Start(Settings.FdrAlpha);
    }

    private PointerDecisionList InitialModel { get; }

    /// <summary>Back to the competition's opening state: version 0, fresh ledgers, no history.</summary>
    public ScoringFixture Reset()
    {
        Model = InitialModel;
        Ledgers = Ledgers.Start(Settings.FdrAlpha);
        Prior.Clear();
        Accepted.Clear();
        return this;
    }

    public SyntheticTabular Synthetic { get; }

    public CompetitionSettings Settings { get; }

    public Holdout Holdout { get; }

    public ModelCatalog Catalog { get; }

    public PointerDecisionList Model { get; private set; }

    public Ledgers Ledgers { get; private set; }

    public List<PriorSubmission> Prior { get; } = [];

    public List<AcceptedGroup> Accepted { get; } = [];

    public ScoringFixture AddModel(string id, IRowPredictor model)
    {
        Catalog.Add(id, model);
        return this;
    }

    /// <summary>Scores a submission and carries the competition's state forward, as the platform does.</summary>
    public ScoringOutcome Submit(string id, string expression, string? fixModelId = null, Metric? metric = null)
    {
        var outcome = SubmissionScorer.Score(new ScoringRequest(Settings, Holdout, Model, Ledgers, Catalog,
            new SubmissionHistory(Prior.ToArray(), Accepted.ToArray()),
            new SubmissionInput(id, GroupRef.FromExpression(expression), fixModelId, metric ?? Settings.Metric)));
        Model = outcome.Model;
        Ledgers = outcome.Ledgers;
        if (outcome.Record.Status == ScoreStatus.Scored) Prior.Add(new PriorSubmission(outcome.Record, outcome.Released));
        if (outcome.ModelChanged) Accepted.Add(new AcceptedGroup(id, Catalog.Members(GroupRef.FromExpression(expression), Holdout.Data)));
        return outcome;
    }
}
