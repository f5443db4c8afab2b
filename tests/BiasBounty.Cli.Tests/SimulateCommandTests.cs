using System.Text.Json;

namespace BiasBounty.Cli.Tests;

public class SimulateCommandTests
{
    [Fact]
    public void Simulate_PrintsTheCounts_AndTheHonestTeamsGroups()
    {
        var (code, output, error) = CliRunner.Run("simulate", "--attack", "fishing", "--submissions", "200", "--seed", "3");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.StartsWith("attack fishing, seed 3: 200 submissions from 1 team over 40 days", output);
        Assert.Contains("verified findings: ", output);
        Assert.Contains("accepted fixes: 0, false: 0", output);
        Assert.Contains("honest team after 100 attack submissions: 3 of 3 planted groups verified, 3 of 3 fixes accepted", output);
    }

    [Fact]
    public void SimulateJson_IsMachineReadable_AndReproducible()
    {
        string[] args = ["simulate", "--attack", "sybil", "--submissions", "150", "--seed", "5", "--teams", "30", "--json"];
        var first = CliRunner.Run(args);
        var second = CliRunner.Run(args);

        Assert.Equal(0, first.ExitCode);
        using var json = JsonDocument.Parse(first.Output);
        var root = json.RootElement;
        Assert.Equal("sybil", root.GetProperty("attack").GetString());
        Assert.Equal(150, root.GetProperty("submissions").GetInt32());
        Assert.Equal(30, root.GetProperty("teams").GetInt32());
        Assert.Equal(1, root.GetProperty("days").GetInt32());
        Assert.Equal(0, root.GetProperty("false_fixes").GetInt32());
        Assert.Equal(3, root.GetProperty("honest_findings_verified").GetInt32());
        foreach (var name in new[] { "verified_findings", "false_findings", "accepted_fixes", "scored", "refused", "duplicates" })
            Assert.Equal(JsonValueKind.Number, root.GetProperty(name).ValueKind);
        Assert.Equal(Without(first.Output, "seconds"), Without(second.Output, "seconds"));
    }

    [Fact]
    public void Simulate_WithOneLedgerForAll_ShowsJunkShuttingOutTheHonestTeam()
    {
        var (code, output, _) = CliRunner.Run("simulate", "--attack", "near-duplicate", "--submissions", "120", "--weaken", "one-ledger");

        Assert.Equal(0, code);
        Assert.Contains("(weakened rule: one-ledger)", output);
        Assert.Contains("honest team after 60 attack submissions: 0 of 3 planted groups verified", output);
    }

    [Theory]
    [InlineData(new[] { "simulate", "--submissions", "10" }, "bbounty: --attack is required (e.g. --attack fishing)")]
    [InlineData(new[] { "simulate", "--attack", "phishing", "--submissions", "10" }, "bbounty: --attack must be one of fishing, boosting, near-duplicate, sybil, not 'phishing'")]
    [InlineData(new[] { "simulate", "--attack", "fishing" }, "bbounty: --submissions is required (e.g. --submissions 2000)")]
    [InlineData(new[] { "simulate", "--attack", "fishing", "--submissions", "0" }, "bbounty: --submissions must be a whole number from 1 to 100000, not '0'")]
    [InlineData(new[] { "simulate", "--attack", "fishing", "--submissions", "10", "--seed", "-1" }, "bbounty: --seed must be a whole number from 0 to 2147483647, not '-1'")]
    [InlineData(new[] { "simulate", "--attack", "fishing", "--submissions", "10", "--rows", "500" }, "bbounty: --rows must be a whole number from 2000 to 2000000, not '500'")]
    [InlineData(new[] { "simulate", "--attack", "fishing", "--submissions", "10", "--weaken", "noise" }, "bbounty: --weaken takes exact-feedback (show the adversary exact confirmation-part rates) or one-ledger (one pair of ledgers for all teams), not 'noise'")]
    [InlineData(new[] { "simulate", "--attack", "fishing", "--submissions", "10", "--turbo", "1" }, "bbounty: unknown option --turbo")]
    public void Simulate_BadArguments_AreOneLine_WithExitCode2(string[] args, string message)
    {
        var (code, output, error) = CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal(message, error.TrimEnd());
    }

    private static string Without(string json, string property) =>
        string.Join("\n", json.Split('\n').Where(line => !line.TrimStart().StartsWith($"\"{property}\"", StringComparison.Ordinal)));
}
