using System.Text;
using System.Text.Json;

namespace BiasBounty.Cli.Tests;

/// <summary><c>bbounty wer</c> and evaluation-table scoring (<c>score --metric wer</c>), end to end on files.</summary>
public sealed class WerCommandTests
{
    /// <summary>80 speakers × 25 utterances; speakers with the "scottish" accent in "car" noise get a fifth of their words wrong.</summary>
    private static string TranscriptTable()
    {
        var path = CliRunner.TempFile("transcripts.csv");
        var lines = new StringBuilder("utterance_id,speaker,accent,noise,reference,hypothesis\n");
        var random = new Random(5);
        string[] words = ["the", "cat", "sat", "on", "a", "mat", "and", "then", "went", "home", "to", "sleep"];
        for (var speaker = 0; speaker < 80; speaker++)
        {
            var accent = speaker % 2 == 0 ? "scottish" : "us";
            for (var u = 0; u < 25; u++)
            {
                var noise = u % 2 == 0 ? "car" : "quiet";
                var reference = Enumerable.Range(0, 12).Select(_ => words[random.Next(words.Length)]).ToArray();
                var errorRate = accent == "scottish" && noise == "car" ? 0.25 : 0.05;
                var hypothesis = reference.Select(w => random.NextDouble() < errorRate ? "uh" : w);
                lines.Append($"u{speaker}-{u},s{speaker},{accent},{noise},\"{string.Join(' ', reference)}.\",{string.Join(' ', hypothesis)}\n");
            }
        }
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    [Fact]
    public void Wer_WritesErrorsAndReferenceWords_WithASchemaThatHidesTheTranscripts()
    {
        var table = TranscriptTable();
        var output = CliRunner.TempFile("evaluation.csv");

        var (code, text, error) = CliRunner.Run("wer", "--data", table, "--reference", "reference", "--hypothesis", "hypothesis",
            "--speaker", "speaker", "--out", output);

        Assert.True(code == 0, error);
        Assert.Matches(@"2,000 utterances: word error rate \d+\.\d\d %", text);
        Assert.Contains("case ignored, punctuation removed", text);
        using var schema = JsonDocument.Parse(File.ReadAllText(output + ".schema.json"));
        var root = schema.RootElement.GetProperty("schema");
        Assert.Equal("word_errors", root.GetProperty("lossErrorsColumn").GetString());
        Assert.Equal("reference_words", root.GetProperty("lossSizeColumn").GetString());
        Assert.Equal("speaker", root.GetProperty("clusterColumn").GetString());
        var roles = root.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("role").GetString());
        Assert.Equal("Hidden", roles["reference"]);
        Assert.Equal("Hidden", roles["hypothesis"]);
        Assert.Equal("Feature", roles["accent"]);
    }

    [Fact]
    public void ScoreWer_WithoutAModel_VerifiesThePlantedGroup_WithTheClusterRobustTest()
    {
        var evaluation = CliRunner.TempFile("evaluation.csv");
        Assert.Equal(0, CliRunner.Run("wer", "--data", TranscriptTable(), "--reference", "reference", "--hypothesis", "hypothesis",
            "--speaker", "speaker", "--out", evaluation).ExitCode);

        var (code, output, error) = CliRunner.Run("score", "--holdout", evaluation, "--metric", "wer",
            "--group", "accent == \"scottish\" and noise == \"car\"", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.StartsWith("cluster-robust t", json.RootElement.GetProperty("finding_test").GetString());
        Assert.True(json.RootElement.GetProperty("finding_verified").GetBoolean(), output);
        Assert.Equal("wer", json.RootElement.GetProperty("metric").GetString());
    }

    [Fact]
    public void ScoreLossColumn_OnTheSyntheticSpeechTable_NeedsNoModel()
    {
        var path = CliRunner.TempFile("speech.csv");
        Assert.Equal(0, CliRunner.Run("synth", "--kind", "speech", "--rows", "20000", "--out", path).ExitCode);

        var (code, output, error) = CliRunner.Run("score", "--holdout", path, "--metric", "lossColumn",
            "--group", "accent == \"Scottish\" and noise == \"car\"");

        Assert.True(code == 0, error);
        Assert.Contains("VERIFIED", output);
    }

    [Fact]
    public void ScoreWer_WithAModel_IsRefusedWithOneLine()
    {
        var path = CliRunner.TempFile("speech.csv");
        Assert.Equal(0, CliRunner.Run("synth", "--kind", "speech", "--rows", "500", "--out", path).ExitCode);

        var (code, _, error) = CliRunner.Run("score", "--holdout", path, "--metric", "wer", "--model", "m.onnx", "--group", "noise == \"car\"");

        Assert.Equal(2, code);
        Assert.Equal("bbounty: --metric wer scores the errors already in the table: leave out --model and --fix", error.TrimEnd());
    }

    [Fact]
    public void Wer_EmptyReference_NamesTheLineAndColumn()
    {
        var path = CliRunner.TempFile("t.csv");
        File.WriteAllText(path, "id,reference,hypothesis\n1,hello world,hello world\n2,,something\n");

        var (code, _, error) = CliRunner.Run("wer", "--data", path, "--reference", "reference", "--hypothesis", "hypothesis", "--out", CliRunner.TempFile("o.csv"));

        Assert.Equal(2, code);
        Assert.Equal("bbounty: t.csv, line 3, column 'reference': the reference transcript is empty; an error rate needs what was said", error.TrimEnd());
    }

    [Fact]
    public void Wer_TextThatIsNotUtf8_NamesTheLineAndColumn()
    {
        var path = CliRunner.TempFile("latin1.csv");
        var bytes = Encoding.ASCII.GetBytes("id,reference,hypothesis\n1,hello,hello\n2,caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.ASCII.GetBytes(",cafe\n")).ToArray();
        File.WriteAllBytes(path, bytes);

        var (code, _, error) = CliRunner.Run("wer", "--data", path, "--reference", "reference", "--hypothesis", "hypothesis", "--out", CliRunner.TempFile("o.csv"));

        Assert.Equal(2, code);
        Assert.Contains("line 3, column 'reference': the text is not UTF-8", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Wer_UnknownColumn_ListsTheColumns()
    {
        var (code, _, error) = CliRunner.Run("wer", "--data", TranscriptTable(), "--reference", "ref", "--hypothesis", "hypothesis", "--out", CliRunner.TempFile("o.csv"));

        Assert.Equal(2, code);
        Assert.StartsWith("bbounty: --reference 'ref' is not a column of transcripts.csv; columns are utterance_id, speaker", error);
    }

    [Theory]
    [InlineData("synth", "--kind", "speech", "--rows", "100", "--out")]
    [InlineData("train-baseline", "--data", "@adult", "--out")]
    [InlineData("wer", "--data", "@transcripts", "--reference", "reference", "--hypothesis", "hypothesis", "--out")]
    public void OutputInAMissingFolder_IsAOneLineErrorWithExitCode2(params string[] args)
    {
        var missing = Path.Combine(Path.GetTempPath(), "bbounty-tests", "no-such-folder-" + Guid.NewGuid().ToString("N"), "out.csv");
        var resolved = args.Select(a => a switch
        {
            "@adult" => CliRunner.DemoData("adult.data.gz"),
            "@transcripts" => TranscriptTable(),
            _ => a,
        }).Append(missing).ToArray();

        var (code, _, error) = CliRunner.Run(resolved);

        Assert.Equal(2, code);
        Assert.Equal($"bbounty: cannot write {missing}: the folder {Path.GetDirectoryName(missing)} does not exist", error.TrimEnd());
    }

    [Fact]
    public void SplitIntoAMissingFolder_IsAOneLineErrorWithExitCode2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "bbounty-tests", "no-such-folder-" + Guid.NewGuid().ToString("N"), "train.csv");

        var (code, _, error) = CliRunner.Run("split", "--data", CliRunner.DemoData("german-credit.data.gz"), "--train-out", missing,
            "--holdout-out", CliRunner.TempFile("holdout.csv"));

        Assert.Equal(2, code);
        Assert.StartsWith("bbounty: cannot write", error);
    }
}
