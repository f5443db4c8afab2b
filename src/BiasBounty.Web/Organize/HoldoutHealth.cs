using System.Globalization;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Web.Organize;

/// <summary>
/// How much more probing a holdout can take (docs/scoring-rules.md): the two alpha-investing ledgers and the accept budget,
/// with plain-language warnings when either runs low. Plain values, so the display is tested without a database.
/// </summary>
public sealed record HoldoutHealth(AlphaInvestingLedger Findings, AlphaInvestingLedger Fixes, AcceptBudget Budget)
{
    /// <summary>A ledger whose wealth is below this share of its starting wealth (fdrAlpha / 2) is low.</summary>
    public const double LowWealthShare = 0.25;

    /// <summary>A budget with at most this share of its capacity left is nearly spent.</summary>
    public const double NearlySpentShare = 0.1;

    public static HoldoutHealth Of(Ledgers ledgers, CompetitionSettings settings) =>
        new(ledgers.Findings, ledgers.Fixes, new AcceptBudget(settings.CertificateThreshold, ledgers.AcceptedOnHoldout));

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
            foreach (var (name, ledger) in new[] { ("findings", Findings), ("fixes", Fixes) })
            {
                if (ledger.IsSpent)
                    warnings.Add($"The {name} ledger's alpha-wealth is spent: no more {name} can be tested at a useful level. Refresh the holdout to restart it.");
                else if (IsLow(ledger))
                    warnings.Add($"The {name} ledger's alpha-wealth is low ({Number(ledger.Wealth)} of the {Number(StartingWealth(ledger))} it started with): " +
                                 $"each new claim is now tested at α = {Number(ledger.NextLevel)}, so even real {name} are hard to verify. " +
                                 "Refreshing the holdout restarts the ledger.");
            }
            return warnings;
        }
    }

    public static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
