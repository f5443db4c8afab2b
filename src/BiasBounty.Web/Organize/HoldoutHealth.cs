using System.Globalization;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Web.Organize;

/// <summary>One team's pair of alpha-investing ledgers, under the team's name.</summary>
public sealed record TeamLedgers(string Team, AlphaInvestingLedger Findings, AlphaInvestingLedger Fixes);

/// <summary>
/// How much more probing a holdout can take (docs/scoring-rules.md, docs/scientific-validity.md): each team's two
/// alpha-investing ledgers, the ledgers a new team starts with, and the accept budget, with plain-language warnings when
/// any runs low. Plain values, so the display is tested without a database.
/// </summary>
public sealed record HoldoutHealth(IReadOnlyList<TeamLedgers> Teams, AcceptBudget Budget, double FdrAlpha)
{
    /// <summary>A ledger whose wealth is below this share of its starting wealth (fdrAlpha / 2) is low.</summary>
    public const double LowWealthShare = 0.25;

    /// <summary>A budget with at most this share of its capacity left is nearly spent.</summary>
    public const double NearlySpentShare = 0.1;

    /// <summary>The health of a competition's ledgers; <paramref name="teamNames"/> names the teams by id (unknown ids show as "a team").</summary>
    public static HoldoutHealth Of(Ledgers ledgers, CompetitionSettings settings, IReadOnlyDictionary<string, string> teamNames) =>
        new(ledgers.All()
                .Where(p => p.Team is not null || p.Pair.Findings.TestsRun > 0 || p.Pair.Fixes.TestsRun > 0)
                .Select(p => new TeamLedgers(p.Team is null ? "without a team" : teamNames.GetValueOrDefault(p.Team, "a team"), p.Pair.Findings, p.Pair.Fixes))
                .OrderBy(t => t.Team, StringComparer.CurrentCultureIgnoreCase)
                .ToArray(),
            new AcceptBudget(settings.CertificateThreshold, ledgers.AcceptedOnHoldout),
            settings.FdrAlpha);

    /// <summary>How many teams the ledger tables list until the organizer asks for all (a prize draws thousands of teams).</summary>
    public const int TeamsListed = 50;

    /// <summary>The teams that need attention first (a spent ledger, then a low one), then the most tested, then by name.</summary>
    public IReadOnlyList<TeamLedgers> TeamsWorstFirst =>
        Teams.OrderBy(Attention).ThenByDescending(t => t.Findings.TestsRun + t.Fixes.TestsRun).ThenBy(t => t.Team, StringComparer.CurrentCultureIgnoreCase).ToArray();

    /// <summary>The teams to list: every one, or the first <see cref="TeamsListed"/> of <see cref="TeamsWorstFirst"/>.</summary>
    public IReadOnlyList<TeamLedgers> TeamsToList(bool all) => all ? TeamsWorstFirst : TeamsWorstFirst.Take(TeamsListed).ToArray();

    /// <summary>A sentence that counts the teams by their worse ledger's state, e.g. "1,204 teams: 2 spent, 5 low, 1,197 healthy."</summary>
    public string TeamSummary
    {
        get
        {
            var counts = Teams.GroupBy(Attention).ToDictionary(g => g.Key, g => g.Count());
            return $"{Teams.Count:N0} team{(Teams.Count == 1 ? "" : "s")} with ledgers: {counts.GetValueOrDefault(0):N0} spent, " +
                   $"{counts.GetValueOrDefault(1):N0} low, {counts.GetValueOrDefault(2):N0} healthy.";
        }
    }

    private static int Attention(TeamLedgers team) =>
        team.Findings.IsSpent || team.Fixes.IsSpent ? 0 : IsLow(team.Findings) || IsLow(team.Fixes) ? 1 : 2;

    /// <summary>The pair every team starts with on this holdout.</summary>
    public AlphaInvestingLedger Fresh => AlphaInvestingLedger.Start(FdrAlpha);

    public static double StartingWealth(AlphaInvestingLedger ledger) => ledger.FdrAlpha / 2;

    public static bool IsLow(AlphaInvestingLedger ledger) => ledger.IsSpent || ledger.Wealth < LowWealthShare * StartingWealth(ledger);

    public bool BudgetNearlySpent => Budget.IsExhausted || Budget.Remaining <= NearlySpentShare * Budget.Capacity;

    /// <summary>What an organizer should know, worst first; empty when the holdout is healthy.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            var warnings = new List<string>();
            if (Budget.IsExhausted)
                warnings.Add($"The accept budget is spent: this holdout has taken all {Budget.Capacity:N0} accepted fixes and repairs it can support. " +
                             "New fixes are refused until you refresh the holdout.");
            else if (BudgetNearlySpent)
                warnings.Add($"The accept budget is nearly spent: {Budget.Remaining:N0} of {Budget.Capacity:N0} accepts are left. Plan a holdout refresh.");
            foreach (var (name, pick) in new (string, Func<TeamLedgers, AlphaInvestingLedger>)[] { ("findings", t => t.Findings), ("fixes", t => t.Fixes) })
            {
                var spent = Teams.Where(t => pick(t).IsSpent).Select(t => t.Team).ToArray();
                var low = Teams.Where(t => !pick(t).IsSpent && IsLow(pick(t))).Select(t => t.Team).ToArray();
                if (spent.Length > 0)
                    warnings.Add($"{Count(spent.Length)} spent {(spent.Length == 1 ? "its" : "their")} {name} ledger's alpha-wealth ({List(spent)}): " +
                                 $"no more of {(spent.Length == 1 ? "its" : "their")} {name} can be tested until you refresh the holdout. Other teams are not affected.");
                if (low.Length > 0)
                    warnings.Add($"{Count(low.Length)} little {name} alpha-wealth left ({List(low)}): " +
                                 $"{(low.Length == 1 ? "its" : "their")} next {name} are tested so strictly that even real ones are hard to verify. " +
                                 "Refreshing the holdout restarts every ledger.");
            }
            return warnings;
        }
    }

    private static string Count(int teams) => teams == 1 ? "One team has" : $"{teams:N0} teams have";

    private static string List(IReadOnlyList<string> teams) =>
        teams.Count <= 5 ? string.Join(", ", teams) : $"{string.Join(", ", teams.Take(5))} and {teams.Count - 5:N0} more";

    public static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
