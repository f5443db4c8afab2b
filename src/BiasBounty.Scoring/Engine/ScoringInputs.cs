using System.Text.Json.Serialization;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Engine;

/// <summary>
/// One submission: a group, an optional fix model, the metric it is judged by, and the team whose ledgers pay for its
/// tests (null: the competition's own pair, as for the command-line tool).
/// </summary>
public sealed record SubmissionInput(string SubmissionId, GroupRef Group, string? FixModelId, Metric Metric, string? Team = null);

/// <summary>A pair of alpha-investing ledgers, one per claim type.</summary>
public sealed record LedgerPair(AlphaInvestingLedger Findings, AlphaInvestingLedger Fixes)
{
    public static LedgerPair Start(double fdrAlpha) => new(AlphaInvestingLedger.Start(fdrAlpha), AlphaInvestingLedger.Start(fdrAlpha));
}

/// <summary>
/// The competition's alpha-investing ledgers (docs/scoring-rules.md), one per claim type and per team, and the accepted
/// fixes and repairs counted against the holdout's accept budget. A fresh holdout starts all of them again; the model is
/// kept. Each team pays for its own tests (docs/scientific-validity.md): one team's failed claims never lower the level
/// another team's claims are tested at, so junk cannot spend the holdout for everyone. <see cref="Findings"/> and
/// <see cref="Fixes"/> are the pair of submissions without a team.
/// </summary>
public sealed record Ledgers(AlphaInvestingLedger Findings, AlphaInvestingLedger Fixes, int AcceptedOnHoldout = 0)
{
    /// <summary>Each team's pair, by team id; a team without an entry has not been tested yet and starts fresh.</summary>
    public IReadOnlyDictionary<string, LedgerPair> Teams { get; init; } = new Dictionary<string, LedgerPair>(StringComparer.Ordinal);

    public static Ledgers Start(double fdrAlpha) => new(AlphaInvestingLedger.Start(fdrAlpha), AlphaInvestingLedger.Start(fdrAlpha));

    /// <summary>The pair that pays for a submission of <paramref name="team"/> (null: the competition's own pair).</summary>
    public LedgerPair For(string? team) =>
        team is null ? new LedgerPair(Findings, Fixes)
            : Teams.TryGetValue(team, out var pair) ? pair : new LedgerPair(AlphaInvestingLedger.Start(Findings.FdrAlpha), AlphaInvestingLedger.Start(Fixes.FdrAlpha));

    /// <summary>The ledgers after <paramref name="team"/>'s pair became <paramref name="pair"/>.</summary>
    public Ledgers With(string? team, LedgerPair pair) =>
        team is null ? this with { Findings = pair.Findings, Fixes = pair.Fixes }
            : this with { Teams = new Dictionary<string, LedgerPair>(Teams, StringComparer.Ordinal) { [team] = pair } };

    /// <summary>Finding tests run on this holdout, all pairs together.</summary>
    [JsonIgnore]
    public int FindingTestsRun => All().Sum(p => p.Pair.Findings.TestsRun);

    /// <summary>Fix tests run on this holdout, all pairs together.</summary>
    [JsonIgnore]
    public int FixTestsRun => All().Sum(p => p.Pair.Fixes.TestsRun);

    /// <summary>Value equality, the teams' pairs included (a record would compare the dictionary by reference).</summary>
    public bool Equals(Ledgers? other) =>
        other is not null && Findings == other.Findings && Fixes == other.Fixes && AcceptedOnHoldout == other.AcceptedOnHoldout
        && Teams.Count == other.Teams.Count && Teams.All(t => other.Teams.TryGetValue(t.Key, out var pair) && pair == t.Value);

    public override int GetHashCode() => HashCode.Combine(Findings, Fixes, AcceptedOnHoldout, Teams.Count);

    /// <summary>Every pair with its owner (null for the competition's own), the competition's first.</summary>
    public IEnumerable<(string? Team, LedgerPair Pair)> All() =>
        Teams.Select(t => ((string?)t.Key, t.Value)).Prepend((null, new LedgerPair(Findings, Fixes)));
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
