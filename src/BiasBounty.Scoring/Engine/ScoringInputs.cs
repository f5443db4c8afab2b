using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Engine;

/// <summary>One submission: a group, an optional fix model, and the metric it is judged by.</summary>
public sealed record SubmissionInput(string SubmissionId, GroupRef Group, string? FixModelId, Metric Metric);

/// <summary>
/// The competition's two alpha-investing ledgers (docs/scoring-rules.md), one per claim type, and the accepted fixes and
/// repairs counted against the holdout's accept budget. A fresh holdout starts all three again; the model is kept.
/// </summary>
public sealed record Ledgers(AlphaInvestingLedger Findings, AlphaInvestingLedger Fixes, int AcceptedOnHoldout = 0)
{
    public static Ledgers Start(double fdrAlpha) => new(AlphaInvestingLedger.Start(fdrAlpha), AlphaInvestingLedger.Start(fdrAlpha));
}

/// <summary>An earlier scored submission, for duplicate answers.</summary>
public sealed record PriorSubmission(ScoreRecord Record, ReleasedView Released);

/// <summary>An accepted fix's group and its rows on the holdout, for near-duplicate flags.</summary>
public sealed record AcceptedGroup(string SubmissionId, RowSet Rows);

/// <summary>What the competition has already seen.</summary>
public sealed record SubmissionHistory(IReadOnlyList<PriorSubmission> Prior, IReadOnlyList<AcceptedGroup> AcceptedGroups)
{
    public static readonly SubmissionHistory Empty = new([], []);
}

/// <summary>Everything a decision depends on. The decision list must be the competition's newest version.</summary>
public sealed record ScoringRequest(
    CompetitionSettings Settings,
    Holdout Holdout,
    PointerDecisionList Model,
    Ledgers Ledgers,
    IModelCatalog Catalog,
    SubmissionHistory History,
    SubmissionInput Submission);

/// <summary>The decision: the internal record, the released view, and the competition's next state.</summary>
public sealed record ScoringOutcome(ScoreRecord Record, ReleasedView Released, PointerDecisionList Model, Ledgers Ledgers)
{
    /// <summary>Whether the fix was accepted and the model advanced a version.</summary>
    public bool ModelChanged => Record.Fix?.NewVersion is not null;
}
