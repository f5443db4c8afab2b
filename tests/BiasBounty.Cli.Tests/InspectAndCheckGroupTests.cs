namespace BiasBounty.Cli.Tests;

public class InspectAndCheckGroupTests
{
    [Fact]
    public void Inspect_PrintsSchemaMissingValuesAndLabelBalance()
    {
        var (code, output, _) = CliRunner.Run("inspect", CliRunner.DemoData("adult.data.gz"));

        Assert.Equal(0, code);
        Assert.Contains("adult.data.gz: 32,561 rows, 15 columns", output);
        Assert.Matches(@"occupation\s+categorical\s+feature\s+14\s+1,843", output);
        Assert.Matches(@"fnlwgt\s+numeric\s+hidden", output);
        Assert.Contains("label income: positive '>50K' 7,841 (24.1 %), negative '<=50K' 24,720 (75.9 %)", output);
    }

    [Fact]
    public void Inspect_AcceptsLabelAndPositiveOverrides()
    {
        var (code, output, _) = CliRunner.Run("inspect", CliRunner.DemoData("acs-income-2018-WY.csv.gz"), "--label", "SEX", "--positive", "2");

        Assert.Equal(0, code);
        Assert.Contains("label SEX: positive '2'", output);
        Assert.Matches(@"PINCP\s+categorical\s+hidden", output);
    }

    [Fact]
    public void CheckGroup_ReportsSizeAndCanonicalForm_OnPublicData()
    {
        var (code, output, _) = CliRunner.Run("check-group", "--data", CliRunner.DemoData("acs-income-2018-GA.csv.gz"), "SEX==2 and RAC1P in (3,2)");

        Assert.Equal(0, code);
        Assert.Contains("ok: SEX == 2 and RAC1P in (2, 3)", output);
        Assert.Contains("group: ", output);
        Assert.Contains("columns used: RAC1P, SEX", output);
    }

    [Fact]
    public void CheckGroup_WorksOnTheTrainingDownload_AHeaderCsvWithoutASidecar()
    {
        // What the platform's training download is: the parsed public data written with a header line, no schema file beside it.
        var download = CliRunner.TempFile("adult-income-training.csv.gz");
        BiasBounty.Scoring.Data.CsvDatasetWriter.Write(BiasBounty.Scoring.Data.CsvDatasetLoader.Load(CliRunner.DemoData("adult.data.gz")), download);

        var (code, output, error) = CliRunner.Run("check-group", "--data", download, "age >= 60");

        Assert.True(code == 0, error);
        Assert.Contains("ok: age >= 60", output);
    }

    [Theory]
    [InlineData("check-group --data {acs} \"SEX == 2 and AGE >= 60\"", "bbounty: column 14: unknown column 'AGE' — did you mean 'AGEP'?")]
    [InlineData("check-group --data {adult} \"sex == 'M'\"", "bbounty: column 8: 'M' is not a value of sex")]
    [InlineData("check-group \"SEX == 2\"", "bbounty: --data is required (e.g. --data train.csv)")]
    [InlineData("inspect /nonexistent/file.csv", "bbounty: file not found: /nonexistent/file.csv")]
    [InlineData("inspect {acs} --colour red", "bbounty: unknown option --colour")]
    [InlineData("inspect {acs} --label", "bbounty: --label needs a value")]
    [InlineData("inspect {acs} --label NOPE", "bbounty: --label 'NOPE' is not a column of acs-income-2018-GA.csv.gz")]
    [InlineData("frobnicate", "bbounty: unknown command 'frobnicate'")]
    public void Commands_FailWithExitCode2AndOneLine_OnBadInput(string commandLine, string expectedStart)
    {
        var args = Split(commandLine
            .Replace("{acs}", CliRunner.DemoData("acs-income-2018-GA.csv.gz"))
            .Replace("{adult}", CliRunner.DemoData("adult.data.gz")));

        var (code, output, error) = CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.StartsWith(expectedStart, error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", output);
    }

    [Fact]
    public void Run_WithoutArguments_PrintsHelpAndExits2()
    {
        var (code, output, _) = CliRunner.Run();
        Assert.Equal(2, code);
        Assert.Contains("bbounty score --holdout FILE", output);
    }

    /// <summary>Splits on spaces outside double quotes, like a shell.</summary>
    internal static string[] Split(string commandLine)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var ch in commandLine)
        {
            if (ch == '"') { quoted = !quoted; continue; }
            if (ch == ' ' && !quoted)
            {
                if (current.Length > 0) { parts.Add(current.ToString()); current.Clear(); }
                continue;
            }
            current.Append(ch);
        }
        if (current.Length > 0) parts.Add(current.ToString());
        return parts.ToArray();
    }
}
