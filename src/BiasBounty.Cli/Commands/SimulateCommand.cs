using System.Globalization;
using System.Text.Json;
using BiasBounty.Scoring.Simulation;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty simulate</c>: plays an adaptive adversary against one simulated competition under the platform's real
/// release rules (docs/scientific-validity.md) and prints the counts: submissions, verified findings, accepted fixes,
/// how many of those are false, and whether the honest team's planted groups still got through.
/// </summary>
public static class SimulateCommand
{
    public const string Usage =
        "bbounty simulate --attack fishing|boosting|near-duplicate|sybil --submissions N [--seed S] [--rows N] [--teams N] [--weaken exact-feedback|one-ledger] [--json]";

    public static int Run(CommandLine args, TextWriter output)
    {
        var attack = args.Required("attack", "fishing");
        if (!Adversaries.Names.Contains(attack))
            throw new UsageException($"--attack must be one of {string.Join(", ", Adversaries.Names)}, not '{attack}'");
        var submissions = args.Int("submissions", 0, 1, 100_000);
        if (submissions == 0) throw new UsageException("--submissions is required (e.g. --submissions 2000)");
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var rows = args.Int("rows", 20_000, 2_000, 2_000_000);
        var teams = args.Int("teams", 0, 1, 100_000);
        var weaken = args.Optional("weaken");
        if (weaken is not (null or "exact-feedback" or "one-ledger"))
            throw new UsageException($"--weaken takes exact-feedback (show the adversary exact confirmation-part rates) or one-ledger (one pair of ledgers for all teams), not '{weaken}'");
        var release = weaken == "exact-feedback" ? ReleaseRule.ExactConfirmationFeedback : ReleaseRule.Platform;
        var json = args.Flag("json");
        args.RejectUnknown();

        var options = new SimulationOptions(attack, submissions, seed) { HoldoutRows = rows, Teams = teams, Release = release, OneLedgerForAll = weaken == "one-ledger" };
        var result = AttackSimulator.Run(options);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(result, ScoreCommand.Json));
            return 0;
        }
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"attack {result.Attack}{(weaken is null ? "" : $" (weakened rule: {weaken})")}, seed {result.Seed}: {result.Submissions:N0} submissions from {result.Teams:N0} team{(result.Teams == 1 ? "" : "s")} over {result.Days:N0} day{(result.Days == 1 ? "" : "s")} ({result.Scored:N0} scored, {result.Refused:N0} refused, {result.Duplicates:N0} duplicates)"));
        output.WriteLine(string.Create(c, $"verified findings: {result.VerifiedFindings:N0}, false: {result.FalseFindings:N0} ({100 * result.FalseFindingRate:0.##} % of submissions)"));
        output.WriteLine(string.Create(c, $"accepted fixes: {result.AcceptedFixes:N0}, false: {result.FalseFixes:N0}"));
        output.WriteLine(result.HonestGroups == 0
            ? "honest team: the run ended before its turn"
            : string.Create(c, $"honest team after {options.HonestAfter:N0} attack submissions: {result.HonestFindingsVerified} of {result.HonestGroups} planted groups verified, {result.HonestFixesAccepted} of {result.HonestGroups} fixes accepted"));
        output.WriteLine(string.Create(c, $"first attacking team's ledgers at the end: findings wealth {result.FindingsWealth:G3}, fixes wealth {result.FixesWealth:G3}, accept budget {result.AcceptBudgetUsed:N0} of {result.AcceptBudgetCapacity:N0} used ({result.Seconds:0.#} s)"));
        return 0;
    }
}
