using System.Diagnostics;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Simulation;

/// <summary>What the adversary is shown.</summary>
public enum ReleaseRule
{
    /// <summary>The platform's released view, exactly as a participant gets it.</summary>
    Platform,

    /// <summary>
    /// A deliberately broken rule, to prove the simulation can fail: the feedback numbers are replaced by the exact
    /// rates on the confirmation part, the rows that decide verdicts. An adversary should then win.
    /// </summary>
    ExactConfirmationFeedback,
}

/// <summary>One simulated competition: which attack, how long, on how much data, under which rules.</summary>
public sealed record SimulationOptions(string Attack, int Submissions, int Seed)
{
    public int HoldoutRows { get; init; } = 20_000;

    public CompetitionSettings Settings { get; init; } = new();

    public ReleaseRule Release { get; init; } = ReleaseRule.Platform;

    /// <summary>
    /// The rule before issue 15, kept to show what it cost: every submission, whichever team sent it, is paid for by the
    /// competition's one pair of ledgers.
    /// </summary>
    public bool OneLedgerForAll { get; init; }

    /// <summary>Teams the attack is spread over, each with its own quota and ledgers: by default 1, and 50 for the Sybil attack.</summary>
    public int Teams
    {
        get => field == 0 ? (Attack == "sybil" ? 50 : 1) : field;
        init => field = value;
    }

    /// <summary>Attack submissions before the honest team submits the planted groups (500, or half a shorter run).</summary>
    public int HonestAfter => Math.Min(500, Submissions / 2);
}

/// <summary>
/// The counts a simulation prints (docs/scientific-validity.md). A false finding is a verified one whose group's real
/// gap (from the known distribution) is under half the rules' least gap; a false fix one whose real overall gain is
/// under ε / 2. The wealth is the first attacking team's at the end.
/// </summary>
public sealed record SimulationResult(
    string Attack,
    int Seed,
    string Release,
    int Submissions,
    int Teams,
    int Days,
    int Scored,
    int Refused,
    int Duplicates,
    int VerifiedFindings,
    int FalseFindings,
    int AcceptedFixes,
    int FalseFixes,
    int HonestGroups,
    int HonestFindingsVerified,
    int HonestFixesAccepted,
    double FindingsWealth,
    double FixesWealth,
    int AcceptBudgetUsed,
    int AcceptBudgetCapacity,
    double Seconds)
{
    public double FalseFindingRate => Submissions == 0 ? 0 : (double)FalseFindings / Submissions;
}

/// <summary>
/// Plays a sequence of submissions against ONE competition's state (docs/scientific-validity.md): the adversary's
/// submissions through <see cref="SubmissionScorer.Score"/> with the evolving decision list and ledgers, each team
/// held to its daily quota, and, after <see cref="SimulationOptions.HonestAfter"/> attack submissions, an honest team
/// submitting the planted groups with their fixes. Every verdict is checked against the known truth.
/// </summary>
public static class AttackSimulator
{
    public static SimulationResult Run(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Submissions);
        var clock = Stopwatch.StartNew();
        var competition = new SimulatedCompetition(options.HoldoutRows, options.Seed, options.Settings);
        var adversary = Adversaries.Create(options.Attack, options.Seed);
        var settings = competition.Settings;
        int scored = 0, refused = 0, duplicates = 0, verified = 0, falseFindings = 0, accepted = 0, falseFixes = 0;
        int honestVerified = 0, honestAccepted = 0;
        IRowPredictor? publicModel = null;
        PointerDecisionList? publicModelList = null;
        for (var i = 0; i < options.Submissions; i++)
        {
            if (i == options.HonestAfter)
            {
                for (var g = 0; g < competition.Planted.Count; g++)
                {
                    var honest = competition.Submit($"honest-{g}", options.OneLedgerForAll ? null : "honest", competition.Planted[g].Expression, SimulatedCompetition.PlantedFixId(g));
                    if (honest.Record.FindingVerified) honestVerified++;
                    if (honest.Record.FixVerified) honestAccepted++;
                }
            }
            if (publicModel is null || competition.Model != publicModelList) (publicModel, publicModelList) = (competition.PublicModel, competition.Model);
            var planned = adversary.Next(publicModel);
            var fixId = planned.Fix is null ? null : competition.AddFix(planned.Fix);
            var outcome = competition.Submit($"attack-{i}", options.OneLedgerForAll ? null : $"attacker-{i % options.Teams}", planned.Expression, fixId);
            var record = outcome.Record;
            switch (record.Status)
            {
                case ScoreStatus.Refused: refused++; break;
                case ScoreStatus.Duplicate: duplicates++; break;
                default: scored++; break;
            }
            var truth = competition.LastTruth;
            if (record.FindingVerified)
            {
                verified++;
                if (truth.Gap < settings.FindingMinDifference / 2) falseFindings++;
            }
            if (record.FixVerified)
            {
                accepted++;
                if (truth.OverallGain < settings.CertificateThreshold / 2) falseFixes++;
            }
            adversary.Observe(planned, options.Release == ReleaseRule.Platform ? outcome.Released : Leak(outcome));
        }
        var perDay = options.Teams * settings.SubmissionsPerDay;
        var budget = new AcceptBudget(settings.CertificateThreshold, competition.Ledgers.AcceptedOnHoldout);
        return new SimulationResult(options.Attack, options.Seed, options.Release.ToString(), options.Submissions, options.Teams,
            (options.Submissions + perDay - 1) / perDay, scored, refused, duplicates, verified, falseFindings, accepted, falseFixes,
            options.Submissions > options.HonestAfter ? competition.Planted.Count : 0, honestVerified, honestAccepted,
            FirstAttacker(competition, options).Findings.Wealth, FirstAttacker(competition, options).Fixes.Wealth, budget.Used, budget.Capacity, clock.Elapsed.TotalSeconds);
    }

    private static LedgerPair FirstAttacker(SimulatedCompetition competition, SimulationOptions options) =>
        competition.Ledgers.For(options.OneLedgerForAll ? null : "attacker-0");

    /// <summary>The broken rule of <see cref="ReleaseRule.ExactConfirmationFeedback"/>: exact confirmation-part rates as "feedback".</summary>
    private static ReleasedView Leak(ScoringOutcome outcome)
    {
        var record = outcome.Record;
        if (record.Finding is not { } finding) return outcome.Released;
        var exact = new FeedbackNumbers(finding.GroupRows, (long)finding.GroupLoss, finding.ComplementRows, (long)finding.ComplementLoss,
            100 * finding.GroupRate, 100 * finding.ComplementRate, null, record.Fix is { } fix ? 100 * (finding.GroupRate - fix.Delta) : null);
        return outcome.Released with { Feedback = exact };
    }
}
