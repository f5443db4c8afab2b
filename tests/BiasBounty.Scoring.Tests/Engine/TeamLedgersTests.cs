using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Engine;

/// <summary>Each team pays for its own tests (docs/scientific-validity.md): one team's failures leave the others' levels alone.</summary>
public class TeamLedgersTests
{
    private static ScoringOutcome Score(ScoringFixture fixture, Ledgers ledgers, string id, string expression, string? team, string? fix = null) =>
        SubmissionScorer.Score(new ScoringRequest(fixture.Settings, fixture.Holdout, fixture.Model, ledgers, fixture.Catalog, SubmissionHistory.Empty,
            new SubmissionInput(id, GroupRef.FromExpression(expression), fix, fixture.Settings.Metric, team)));

    [Fact]
    public void OneTeamsFailures_SpendOnlyItsOwnLedger()
    {
        var fixture = new ScoringFixture(rows: 20_000, seed: 3, plantedEffect: false);
        var ledgers = Ledgers.Start(0.05);
        for (var i = 0; i < 40; i++)
            ledgers = Score(fixture, ledgers, $"junk{i}", $"age >= {20 + i}", "fishers").Ledgers;

        Assert.True(ledgers.For("fishers").Findings.IsSpent);
        var refused = Score(fixture, ledgers, "late", "age < 50", "fishers");
        Assert.Equal(ScoreStatus.Refused, refused.Record.Status);
        Assert.StartsWith("your team's testing budget on this holdout is spent", refused.Record.RefusalReason);

        var other = Score(fixture, ledgers, "honest", "age < 50", "auditors");
        Assert.Equal(ScoreStatus.Scored, other.Record.Status);
        Assert.Equal(AlphaInvestingLedger.MaximumLevel, other.Record.Finding!.Level);
        Assert.Equal(1, other.Ledgers.For("auditors").Findings.TestsRun);
        Assert.Equal(35, other.Ledgers.FindingTestsRun); // 34 tested before the refusals, which test nothing; plus the honest one
        Assert.Equal(ledgers.Findings, other.Ledgers.Findings); // the competition's own pair is untouched
    }

    [Fact]
    public void Ledgers_RoundTripThroughJson_WithTheirTeams()
    {
        var fixture = new ScoringFixture(rows: 20_000, seed: 3, plantedEffect: false);
        var ledgers = Score(fixture, Ledgers.Start(0.05), "a", "age >= 40", "team-a").Ledgers;

        var back = System.Text.Json.JsonSerializer.Deserialize<Ledgers>(System.Text.Json.JsonSerializer.Serialize(ledgers))!;

        Assert.Equal(ledgers.For("team-a"), back.For("team-a"));
        Assert.Equal(1, back.FindingTestsRun);
        // A ledger stored before teams had ledgers reads with none.
        var old = System.Text.Json.JsonSerializer.Deserialize<Ledgers>("""{"Findings":{"FdrAlpha":0.05,"Wealth":0.01,"TestsRun":3,"TestsVerified":0},"Fixes":{"FdrAlpha":0.05,"Wealth":0.025,"TestsRun":0,"TestsVerified":0},"AcceptedOnHoldout":0}""")!;
        Assert.Empty(old.Teams);
        Assert.Equal(3, old.FindingTestsRun);
    }

    [Fact]
    public void FailuresUntilSpent_CountsFromTheLedgersRule()
    {
        var fresh = AlphaInvestingLedger.Start(0.05);
        Assert.Equal(34, fresh.FailuresUntilSpent);
        Assert.Equal(33, fresh.Record(false).FailuresUntilSpent);
        Assert.True(fresh.Record(true).FailuresUntilSpent > 34); // a verified claim earns wealth for more
    }
}
