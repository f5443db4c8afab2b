using System.Text.Json;

namespace BiasBounty.Cli.Tests;

/// <summary>bbounty explore and bench --explore, end to end on synthetic files and on Adult.</summary>
public class ExploreCommandTests
{
    private static (string Data, string Model) Synthetic(bool planted)
    {
        var data = CliRunner.TempFile("synthetic.csv.gz");
        var model = CliRunner.TempFile("model.onnx");
        string[] synth = ["synth", "--kind", "tabular", "--rows", "20000", "--seed", "5", "--out", data];
        Assert.Equal(0, CliRunner.Run(planted ? synth : [.. synth, "--no-bias"]).ExitCode);
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", data, "--out", model).ExitCode);
        return (data, model);
    }

    [Fact]
    public void Explore_FindsThePlantedGroups_ReadyToPaste_AndNotTestedOnTheHoldout()
    {
        var (data, model) = Synthetic(planted: true);

        var (code, output, error) = CliRunner.Run("explore", "--data", data, "--model", model, "--max-conditions", "2");

        Assert.True(code == 0, error);
        Assert.Contains("Holm-corrected at 0.025", output);
        Assert.Contains("region == \"South\"", output);
        Assert.Contains("RAC1P == 2", output);
        var groups = output.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+\. ")).ToArray();
        Assert.NotEmpty(groups);
        Assert.Equal(groups.Length, output.Split('\n').Count(l => l.TrimEnd().EndsWith("not tested on the holdout", StringComparison.Ordinal)));
        // Each printed expression pastes straight into check-group (and so into a submission).
        foreach (var line in groups)
        {
            var expression = line[(line.IndexOf(". ", StringComparison.Ordinal) + 2)..].TrimEnd();
            var (checkCode, checkOutput, checkError) = CliRunner.Run("check-group", "--data", data, expression);
            Assert.True(checkCode == 0, checkError);
            Assert.Contains(expression, checkOutput);
        }
    }

    [Fact]
    public void ExploreJson_OnDataWithoutStructure_ReportsNothing()
    {
        var (data, model) = Synthetic(planted: false);

        var (code, output, error) = CliRunner.Run("explore", "--data", data, "--model", model, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("not tested on the holdout", json.RootElement.GetProperty("note").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("groups").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("tested").GetArrayLength() > 0);
        Assert.Equal(3, json.RootElement.GetProperty("max_conditions").GetInt32());
    }

    [Fact]
    public void Explore_OnAdult_ConfirmsGroups()
    {
        var model = CliRunner.TempFile("adult.onnx");
        Assert.Equal(0, CliRunner.Run("train-baseline", "--data", CliRunner.DemoData("adult.data.gz"), "--out", model).ExitCode);

        var (code, output, error) = CliRunner.Run("explore", "--data", CliRunner.DemoData("adult.data.gz"), "--model", model, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var groups = json.RootElement.GetProperty("groups");
        Assert.True(groups.GetArrayLength() > 0);
        foreach (var g in groups.EnumerateArray())
        {
            Assert.True(g.GetProperty("adjusted_p_value").GetDouble() <= 0.025);
            Assert.True(g.GetProperty("gap").GetDouble() > 0);
            Assert.Equal("not tested on the holdout", g.GetProperty("note").GetString());
        }
    }

    [Fact]
    public void Explore_RefusesARegressionLabel_AndABadAlpha()
    {
        var (data, model) = Synthetic(planted: true);

        var (code, _, error) = CliRunner.Run("explore", "--data", data, "--model", model, "--alpha", "2");

        Assert.Equal(2, code);
        Assert.Equal("bbounty: --alpha must be a number between 0 and 1, not '2'", error.Trim());
    }

    [Fact]
    public void BenchExplore_ReportsTimeAndPeakMemory()
    {
        var (code, output, error) = CliRunner.Run("bench", "--explore", "--rows", "20000", "--max-conditions", "3", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(10, json.RootElement.GetProperty("features").GetInt32());
        Assert.True(json.RootElement.GetProperty("seconds").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("peak_memory_mb").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("confirmed").GetInt32() > 0);
    }
}
