using BiasBounty.Scoring.Simulation;
using Xunit.Abstractions;

namespace BiasBounty.Scoring.Tests.Simulation;

/// <summary>
/// Reduced versions of docs/scientific-validity.md's runs: each adversary plays 600 submissions (the full figures use
/// 2,000) against one competition's real scoring state, seeded, with the honest team's three planted groups after 300.
/// The bounds are the issue's (false verified findings at most 1 % of submissions, no false accepted fix, the planted
/// groups verified and fixed); measured values sit far inside them (0–1 false findings in 600), so the tests do not
/// flake, while a rule change that lets an adversary through fails them — the weakened-rule tests show that it would.
/// </summary>
public class AdaptiveAttackTests(ITestOutputHelper output)
{
    private const int Submissions = 600;

    private SimulationResult Run(string attack, int seed, int teams = 0, ReleaseRule release = ReleaseRule.Platform, bool oneLedger = false)
    {
        var result = AttackSimulator.Run(new SimulationOptions(attack, Submissions, seed) { Teams = teams, Release = release, OneLedgerForAll = oneLedger });
        output.WriteLine($"{attack} seed {seed} teams {result.Teams} {release}{(oneLedger ? " one ledger" : "")}: {result.Scored} scored, " +
                         $"{result.VerifiedFindings} findings ({result.FalseFindings} false), {result.AcceptedFixes} fixes ({result.FalseFixes} false), " +
                         $"honest {result.HonestFindingsVerified}/{result.HonestGroups} findings {result.HonestFixesAccepted}/{result.HonestGroups} fixes, {result.Seconds:0.0} s");
        return result;
    }

    private static void AssertHeld(SimulationResult result)
    {
        Assert.True(result.FalseFindings <= 0.01 * result.Submissions, $"{result.FalseFindings} false verified findings in {result.Submissions} submissions");
        Assert.Equal(0, result.FalseFixes);
        Assert.Equal(3, result.HonestGroups);
        Assert.Equal(3, result.HonestFindingsVerified);
        Assert.Equal(3, result.HonestFixesAccepted);
    }

    [Theory]
    [InlineData("fishing", 1)]
    [InlineData("boosting", 1)]
    [InlineData("near-duplicate", 1)]
    [InlineData("sybil", 1)]
    public void Adversary_OnOneTeam_GetsNothingFalse_AndHonestGroupsStillPass(string attack, int seed) => AssertHeld(Run(attack, seed));

    [Theory]
    [InlineData("fishing", 2)]
    [InlineData("boosting", 2)]
    [InlineData("near-duplicate", 2)]
    public void Adversary_SpreadOver200Teams_GetsNothingFalse_AndHonestGroupsStillPass(string attack, int seed)
    {
        // 200 teams of 3 submissions: every test is run at a fresh team's largest levels, the strongest Sybil setting.
        var result = Run(attack, seed, teams: 200);
        Assert.True(result.Scored >= Submissions / 2, $"only {result.Scored} attack submissions were tested");
        AssertHeld(result);
    }

    [Fact]
    public void NearDuplicateProbing_WinsWhenFeedbackComesFromTheConfirmationPart()
    {
        // The deliberately broken rule: the numbers released are the exact rates of the rows that decide verdicts. The
        // same adversary, seed and teams as under the real rules then passes the bound of AssertHeld, so the tests above
        // would fail if a change let confirmation-part information out.
        var real = Run("near-duplicate", 2, teams: 200);
        var leaked = Run("near-duplicate", 2, teams: 200, release: ReleaseRule.ExactConfirmationFeedback);

        Assert.True(real.FalseFindings <= 1, $"{real.FalseFindings} false findings under the real rules");
        Assert.True(leaked.FalseFindings > 0.01 * Submissions, $"only {leaked.FalseFindings} false findings with exact confirmation feedback");
    }

    [Fact]
    public void BoostingOnFixes_GetsAFalseFixAccepted_WhenFeedbackComesFromTheConfirmationPart()
    {
        // The boosting attack needs more submissions than the reduced runs: the full 2,000 over 400 teams (a second or
        // two). Seeded, so the outcome is fixed: with exact confirmation rates its vote is accepted though it helps no
        // one; with the real rules the same run gets no fix accepted.
        SimulationResult Full(ReleaseRule release) => AttackSimulator.Run(new SimulationOptions("boosting", 2_000, 4) { Teams = 400, Release = release });
        var real = Full(ReleaseRule.Platform);
        var leaked = Full(ReleaseRule.ExactConfirmationFeedback);
        output.WriteLine($"boosting, 2,000 over 400 teams, seed 4: real rules {real.AcceptedFixes} accepted ({real.FalseFixes} false), exact feedback {leaked.AcceptedFixes} accepted ({leaked.FalseFixes} false)");

        Assert.Equal(0, real.FalseFixes);
        Assert.True(leaked.FalseFixes >= 1, "the boosting attack got no false fix through even with exact confirmation feedback");
    }

    [Fact]
    public void OneLedgerForAllTeams_LetsJunkShutOutHonestTeams()
    {
        // The rule before issue 15: one pair of ledgers for the whole competition. 34 failed claims spend it, so the
        // planted groups submitted after 300 junk submissions are refused. Ledgers per team keep them testable.
        var shared = Run("fishing", 1, oneLedger: true);
        var perTeam = Run("fishing", 1);

        Assert.Equal(0, shared.HonestFindingsVerified);
        Assert.Equal(0, shared.HonestFixesAccepted);
        Assert.Equal(3, perTeam.HonestFindingsVerified);
    }

    [Fact]
    public void Run_IsReproducible_FromItsSeed()
    {
        var first = Run("fishing", 7, teams: 50);
        var second = Run("fishing", 7, teams: 50);

        Assert.Equal(first with { Seconds = 0 }, second with { Seconds = 0 });
    }
}
