using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Text;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Demo;

/// <summary>
/// The second demo competition: speech recognition word error rate by accent and noise, from the evaluation table in
/// <c>deploy/demo-data/speech/</c> (espeak-ng voices, sox noise, pocketsphinx transcripts; provenance in that folder's
/// README). The platform computes each utterance's word errors from the reference and hypothesis transcripts, then
/// splits whole speakers into a public part (a third) and the hidden holdout, so no speaker is on both sides.
/// </summary>
public static class SpeechDemo
{
    public const string Slug = "speech-wer";

    public const string TableFile = "speech/speech-eval.csv.gz";

    public static bool Available(string folder) => File.Exists(Path.Combine(folder, TableFile));

    /// <summary>The public part, the holdout and the competition (not yet saved), with version 0 checked.</summary>
    public static (DataFile Public, DataFile Holdout, Competition Competition, BaseModelCheck Check) Build(string folder, string organizerId, DateTimeOffset now)
    {
        var path = Path.Combine(folder, TableFile);
        var table = CsvDatasetLoader.Load(path);
        var (evaluation, _) = EvaluationTable.FromTranscripts(table, "reference", "hypothesis", table.Schema.ClusterColumn ?? "speaker_id",
            ErrorUnit.Word, TextNormalization.Default, TableFile);
        var speakers = evaluation.Schema.ClusterColumn!;
        var ids = ((CategoricalColumn)evaluation[speakers]).Codes;
        // A seeded third of the speakers is public; their utterances never appear in the holdout.
        var publicRows = Holdout.ClusterSplit(ids, 1.0 / 3, seed: 2026);
        var publicPart = evaluation.SelectRows(publicRows.ToIndices());
        var hidden = evaluation.SelectRows(publicRows.Not().ToIndices());
        var publicFile = DataFile.WithSchema("speech-eval-public.csv.gz", CsvDatasetWriter.ToBytes(publicPart), evaluation.Schema);
        var holdoutFile = DataFile.WithSchema("speech-eval-holdout.csv.gz", CsvDatasetWriter.ToBytes(hidden), evaluation.Schema);

        // A small table: 16 hidden speakers, so groups are smaller than the tabular demo's; the cluster-robust test is
        // honest about how little a handful of speakers can show.
        var settings = new CompetitionSettings { Metric = Metric.Wer, MinGroupRows = 40, FeedbackShare = 0.5 };
        var competition = DemoSeeder.OpenFor90Days("Speech recognition: word error rate by accent and noise (demo)", Slug, Description,
            settings, evaluation.Schema, organizerId, now, rewardPool: 500m);
        var check = CompetitionAssembly.CheckEvaluationTable(holdoutFile.Load(), ModelCatalog.ContentId(holdoutFile.Content), settings);
        return (publicFile, holdoutFile, competition, check);
    }

    private const string Description = """
        Find groups of utterances on which the speech recogniser makes more word errors than on the rest: an
        accent, a noise condition, a speaking rate, or a combination (`accent == "Scottish" and noise == "loud-5dB"`).
        The metric is the **word error rate**: word errors (substitutions, deletions, insertions) over the words
        that were said, compared after lower-casing and removing punctuation. Utterances of one speaker are not
        independent, so findings are tested cluster-robustly by speaker.

        **The voices are synthetic.** The audio was spoken by `espeak-ng` voices that approximate accents, mixed
        with synthetic noise by `sox`, and transcribed by `pocketsphinx` — real recognition software, but not real
        speakers: this demo shows the method, not a finding about people who speak with these accents.
        Provenance: `deploy/demo-data/README.md`.
        """;
}
