using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Synthetic;
using Xunit.Abstractions;

namespace BiasBounty.Scoring.Tests.Engine;

/// <summary>
/// The engine's error rates measured by simulation: power on planted groups, and false acceptances on data without
/// exploitable structure. Each simulated submission is the first test of a fresh ledger, i.e. it runs at the
/// highest level the rules ever grant (α = 0.01), so these rates bound what any later test can do.
/// </summary>
public class StatisticalBehaviourTests(ITestOutputHelper output)
{
    [Fact]
    public void PlantedGroups_AreVerified_WithPowerOfAtLeast90Percent()
    {
        const int runs = 40;
        int findings = 0, fixes = 0, total = 0;
        for (var seed = 1; seed <= runs; seed++)
        {
            var fixture = new ScoringFixture(rows: 20_000, seed: seed);
            for (var g = 0; g < fixture.Synthetic.Planted.Count; g++)
            {
                var fresh = fixture.Reset();
                var record = fresh.Submit($"s{seed}-{g}", fresh.Synthetic.Planted[g].Expression, $"fix-{g}").Record;
                total++;
                if (record.FindingVerified) findings++;
                if (record.FixVerified) fixes++;
            }
        }
        output.WriteLine($"planted groups: findings verified {findings}/{total}, fixes accepted {fixes}/{total}");
        Assert.True(findings >= 0.9 * total, $"finding power {findings}/{total}");
        Assert.True(fixes >= 0.9 * total, $"fix power {fixes}/{total}");
    }

    [Fact]
    public void StructurelessData_RandomGroupsWithRandomFixes_RarelyPass()
    {
        const int submissions = 1_000;
        var random = new Random(2024);
        var fixture = new ScoringFixture(rows: 20_000, seed: 99, plantedEffect: false);
        int tested = 0, acceptedFixes = 0, verifiedFindings = 0;
        for (var i = 0; i < submissions; i++)
        {
            // Each submission is judged alone, at the first (largest) level of a fresh ledger.
            var single = fixture.Reset();
            var fixId = $"fix{i}";
            single.AddModel(fixId, RandomRule(random));
            var record = single.Submit($"s{i}", RandomGroup(random), fixId).Record;
            if (record.Status != ScoreStatus.Scored) continue;
            tested++;
            if (record.FixVerified) acceptedFixes++;
            if (record.FindingVerified) verifiedFindings++;
        }
        output.WriteLine($"structureless: {tested} tested, {acceptedFixes} fixes accepted, {verifiedFindings} findings verified");
        Assert.True(tested >= 900, $"only {tested} random groups passed the gates");
        Assert.True(acceptedFixes <= 0.01 * tested, $"{acceptedFixes} of {tested} random fixes accepted");
        // Every verified finding here is false; at most 5 % of submissions may produce one.
        Assert.True(verifiedFindings <= 0.05 * tested, $"{verifiedFindings} of {tested} random findings verified");
    }

    private static string RandomGroup(Random random)
    {
        string Condition() => random.Next(5) switch
        {
            0 => $"age {(random.Next(2) == 0 ? "<" : ">=")} {25 + random.Next(50)}",
            1 => $"region in (\"{PlantedBiasGenerator.Regions[random.Next(4)]}\", \"{PlantedBiasGenerator.Regions[random.Next(4)]}\")",
            2 => $"income {(random.Next(2) == 0 ? "<" : ">=")} {30 + random.Next(60)}",
            3 => $"RAC1P != {1 + random.Next(5)}",
            _ => $"education == \"{PlantedBiasGenerator.Educations[random.Next(3)]}\"",
        };
        return random.Next(3) == 0 ? Condition() : $"{Condition()} and {Condition()}";
    }

    private static LinearRule RandomRule(Random random) =>
        new(Enumerable.Range(0, 8).Select(f => f is 4 or 5 or 6 ? 0f : (float)(random.NextDouble() * 2 - 1)).ToArray(), (float)(random.NextDouble() * 40 - 20));
}
