using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Replay;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Scoring.Synthetic;
using BiasBounty.Scoring.Text;

namespace BiasBounty.Scoring.Tests.Replay;

public class EvaluationTableReplayTests
{
    private const string Planted = "accent == \"Scottish\" and noise == \"car\"";

    /// <summary>The competition's holdout: a recogniser with no accent × noise gap.</summary>
    private static Holdout CompetitionHoldout() => Holdout.Create(Speech(6_000, 11, planted: false), 0.5, 3);

    /// <summary>
    /// An evaluation table whose speakers differ (each has an own word error rate around 10 %, so a speaker's utterances
    /// are not independent) with no gap by accent or noise, or, when planted, +15 points for Scottish speakers in cars.
    /// </summary>
    private static Dataset Speech(int utterances, int seed, bool planted)
    {
        var random = new Random(seed);
        var speakers = utterances / 20;
        var speakerAccent = Enumerable.Range(0, speakers).Select(_ => PlantedBiasGenerator.Accents[random.Next(PlantedBiasGenerator.Accents.Length)]).ToArray();
        var speakerRate = Enumerable.Range(0, speakers).Select(_ => 0.1 * Math.Exp(0.6 * Gaussian(random))).ToArray();
        var (accent, noise, speaker) = (new string?[utterances], new string?[utterances], new string?[utterances]);
        var (errors, words) = (new float[utterances], new float[utterances]);
        for (var i = 0; i < utterances; i++)
        {
            var s = random.Next(speakers);
            (speaker[i], accent[i], noise[i]) = ($"spk{s:D4}", speakerAccent[s], PlantedBiasGenerator.NoiseConditions[random.Next(4)]);
            words[i] = 5 + random.Next(26);
            var rate = Math.Min(0.9, speakerRate[s] + (planted && accent[i] == "Scottish" && noise[i] == "car" ? 0.15 : 0));
            errors[i] = Enumerable.Range(0, (int)words[i]).Count(_ => random.NextDouble() < rate);
        }
        var schema = new DatasetSchema(
            [
                new ColumnSpec("accent", ColumnKind.Categorical), new ColumnSpec("noise", ColumnKind.Categorical),
                new ColumnSpec("speaker_id", ColumnKind.Categorical, ColumnRole.Hidden),
                new ColumnSpec("word_errors", ColumnKind.Numeric, ColumnRole.Loss), new ColumnSpec("reference_words", ColumnKind.Numeric, ColumnRole.Loss),
            ],
            LossErrorsColumn: "word_errors", LossSizeColumn: "reference_words", ClusterColumn: "speaker_id");
        return new Dataset(schema, [CategoricalColumn.FromValues("accent", accent), CategoricalColumn.FromValues("noise", noise),
            CategoricalColumn.FromValues("speaker_id", speaker), NumericColumn.FromValues("word_errors", errors), NumericColumn.FromValues("reference_words", words)]);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static EvaluationReplayRequest Request(Dataset table) =>
        new(table, Metric.Wer, 2, ["noise == \"street\""], ["accent", "noise"], CompetitionHoldout());

    [Fact]
    public void PlantedGroupOfHighWer_OnTheDeployersTable_IsALastMileGap_WithClusteredIntervals()
    {
        // The deployer's recogniser errs far more for Scottish speakers in cars (+15 points); the holdout shows no such gap.
        var table = Speech(8_000, 5, planted: true);

        var report = EvaluationTableReplay.Run(Request(table));

        Assert.True(report.EvaluationTable);
        Assert.Equal("speaker_id", report.ClusterColumn);
        var version = Assert.Single(report.Versions);
        Assert.Equal(2, version.Version);
        Assert.Equal(400, version.Clusters);
        Assert.True(version.Lower < version.Error && version.Error < version.Upper && version.Upper - version.Lower < 0.03);
        var planted = Assert.Single(version.Groups, g => g.Expression == Planted);
        Assert.Equal(ReplayGroupSource.ProtectedPair, planted.Source);
        Assert.True(planted.SignificantGap && planted.GapOnHoldout == false && planted.LastMile);
        Assert.True(planted.Lower <= planted.Error && planted.Error <= planted.Upper && planted.Error > planted.RestError + 0.1);
        Assert.InRange(planted.Clusters!.Value, 2, planted.Rows);
        Assert.Contains(report.Flags, f => f.Kind == ReplayFlagKind.LastMileGap && f.Expression == Planted && f.Text.Contains("word error rate", StringComparison.Ordinal));
        // Every value of the protected columns and the finding's group are measured; the search says why it did not run.
        Assert.All(PlantedBiasGenerator.Accents, a => Assert.Contains(version.Groups, g => g.Expression == $"accent == \"{a}\"" && g.Source == ReplayGroupSource.Protected));
        Assert.Contains(version.Groups, g => g.Expression == "noise == \"street\"" && g.Source == ReplayGroupSource.Finding);
        Assert.Empty(report.Discovered);
        Assert.Equal(EvaluationTableReplay.DiscoveryNote, report.DiscoveryNote);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void TableWithoutAGap_HasNoFlag_ThoughItsSpeakersDiffer(int seed)
    {
        var report = EvaluationTableReplay.Run(Request(Speech(4_000, seed, planted: false)));

        Assert.Empty(report.Flags);
        Assert.All(report.Versions[0].Groups, g => Assert.False(g.LastMile));
    }

    [Fact]
    public void GroupsThatFollowSpeakers_HaveWiderIntervals_ThanThePerUtteranceDeltaMethod()
    {
        var table = Speech(4_000, 9, planted: false);
        var withoutClusters = new Dataset(table.Schema with { ClusterColumn = null }, table.Columns);

        var clustered = EvaluationTableReplay.Run(Request(table)).Versions[0].Groups.Single(g => g.Expression == "accent == \"Indian\"");
        var perRow = EvaluationTableReplay.Run(Request(withoutClusters)).Versions[0].Groups.Single(g => g.Expression == "accent == \"Indian\"");

        Assert.Equal(perRow.Error, clustered.Error, 9);
        Assert.Null(perRow.Clusters);
        Assert.True(clustered.Upper - clustered.Lower > perRow.Upper - perRow.Lower, "speakers' own error rates make a clustered interval wider");
    }

    [Fact]
    public void RatioInterval_MatchesTheFormulaWorkedByHand()
    {
        // Two speakers: E = 2+4 over N = 10+10 → 0.3; u = (2 − 3)/20, (4 − 3)/20 = ∓0.05; Var = 2/1 · 0.005 = 0.01; t(1) · 0.1.
        var (ratio, interval, clusters) = ClusteredRatioEstimator.Ratio([1, 1, 2, 2], [5, 5, 5, 5], [0, 0, 1, 1], RowSet.All(4));
        Assert.Equal(0.3, ratio, 12);
        Assert.Equal(2, clusters);
        Assert.Equal(Math.Max(0, 0.3 - 12.7062047 * 0.1), interval!.Value.Lower, 5);
        Assert.Equal(0.3 + 12.7062047 * 0.1, interval.Value.Upper, 5);
        Assert.Null(ClusteredRatioEstimator.Ratio([1, 1], [5, 5], [0, 0], RowSet.All(2)).Interval);
    }

    private static readonly DatasetSchema CompetitionSchema = PlantedBiasGenerator.Speech(20, 1).Schema;

    private static Dataset Csv(string text) => CsvDatasetLoader.Load(System.Text.Encoding.UTF8.GetBytes(text), new CsvLoadOptions());

    [Fact]
    public void Read_TakesLossColumnsOrTranscripts_AndNamesLineAndColumnOfAProblem()
    {
        var transcripts = EvaluationVersion.Transcripts.Words;
        const string header = "accent,dialect_region,noise,handset,speaker_id";

        var losses = EvaluationTableReplay.Read(Csv(header + ",word_errors,reference_words\nScottish,Europe,car,phone,s1,3,10\nIndian,Asia,quiet,headset,s2,0,8\n"), CompetitionSchema, transcripts, "mine.csv");
        Assert.Equal([3f, 0f], ((NumericColumn)losses["word_errors"]).Values);
        Assert.Equal("speaker_id", losses.Schema.ClusterColumn);

        var spoken = EvaluationTableReplay.Read(Csv(header + ",reference,hypothesis\nScottish,Europe,car,phone,s1,the cat sat,the hat sat\n"), CompetitionSchema, transcripts, "mine.csv");
        Assert.Equal([1f], ((NumericColumn)spoken["word_errors"]).Values);
        Assert.Equal([3f], ((NumericColumn)spoken["reference_words"]).Values);

        var another = Assert.Throws<ScoringInputException>(() => EvaluationTableReplay.Read(Csv("age,income\n30,yes\n"), CompetitionSchema, transcripts, "mine.csv"));
        Assert.StartsWith("mine.csv lacks 'accent', 'dialect_region', 'noise', 'handset', 'speaker_id' and has 'age', 'income'", another.Message, StringComparison.Ordinal);

        var noSpeaker = Assert.Throws<ScoringInputException>(() => EvaluationTableReplay.Read(Csv(header + ",word_errors,reference_words\nScottish,Europe,car,phone,s1,3,10\nIndian,Asia,quiet,headset,,0,8\n"), CompetitionSchema, transcripts, "mine.csv"));
        Assert.StartsWith("mine.csv, line 3, column 'speaker_id'", noSpeaker.Message, StringComparison.Ordinal);

        var badSize = Assert.Throws<ScoringInputException>(() => EvaluationTableReplay.Read(Csv(header + ",word_errors,reference_words\nScottish,Europe,car,phone,s1,3,0\n"), CompetitionSchema, transcripts, "mine.csv"));
        Assert.Equal("mine.csv, line 2, column 'reference_words': the size must be greater than 0", badSize.Message);
    }

    [Fact]
    public void ModelMetric_IsRefused_WithASentence()
    {
        var request = Request(Speech(200, 9, planted: false)) with { Metric = Metric.Error };
        var error = Assert.Throws<ScoringInputException>(() => EvaluationTableReplay.Run(request));
        Assert.Contains("replay the model", error.Message, StringComparison.Ordinal);
    }
}
