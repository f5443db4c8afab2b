using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BiasBounty.Web.Tests.Organize.OrganizeTestData;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>
/// Issue 12: an evaluation-table competition created through the wizard's slice — from errors and size columns, and
/// from reference and hypothesis transcripts (word and character error rate) — stored without a model, split by
/// speaker, and a finding on it scored by the worker in error-rate terms.
/// </summary>
public sealed class EvaluationTableWizardTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private static CompetitionDetails Details(string slug, Metric metric) => new()
    {
        Name = "Speech recognition " + slug, Slug = slug, Description = "Find where the recogniser mishears.", Metric = metric,
        OpensAt = DateTime.UtcNow.Date.AddDays(-1), ClosesAt = DateTime.UtcNow.Date.AddDays(30), FeedbackShare = 0.5, MinGroupRows = 5,
    };

    private static CompetitionSettings Settings(CompetitionDetails details, CompetitionDraft draft) => details.ToSettings(draft.SplitSeed);

    private async Task<Competition> OpenAsync(CompetitionDetails details, CompetitionDraft draft)
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var (competition, errors) = await CreateCompetition.OpenAsync(platform.NewDb(scope), scope.ServiceProvider.GetRequiredService<CompetitionAssembly>(),
            details, draft, organizerId, CancellationToken.None);
        Assert.Empty(errors);
        return competition!;
    }

    /// <summary>The stored competition: no model file, the errors column as its label, speakers on one side only, the wizard's version 0.</summary>
    private async Task AssertStoredAsync(Competition opened, CompetitionDraft draft, string errorsColumn, string speaker)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var stored = await db.Competitions.AsNoTracking().Include(c => c.TrainingFile).Include(c => c.HoldoutFile).SingleAsync(c => c.Id == opened.Id);
        Assert.Equal(errorsColumn, stored.LabelColumn);
        Assert.Null(stored.PositiveClass);
        Assert.Equal(draft.DataSplitSeed, stored.DataSplitSeed);
        Assert.Equal(2, await db.StoredFiles.CountAsync(f => f.CompetitionId == stored.Id)); // no model file
        var publicPart = CompetitionData.LoadDataset(stored.TrainingFile!.Content, stored.TrainingFile.LoadSchemaJson);
        var holdout = CompetitionData.LoadDataset(stored.HoldoutFile!.Content, stored.HoldoutFile.LoadSchemaJson);
        Assert.Equal(speaker, holdout.Schema.ClusterColumn);
        var publicSpeakers = Values(publicPart[speaker]).ToHashSet();
        Assert.DoesNotContain(Values(holdout[speaker]), publicSpeakers.Contains);
        var version0 = await db.DecisionListVersions.SingleAsync(v => v.CompetitionId == stored.Id);
        Assert.Equal(draft.Check!.FeedbackLoss, version0.FeedbackLoss, 9);

        static IEnumerable<string?> Values(Column column) => Enumerable.Range(0, column.Length).Select(column.FormatValue);
    }

    private async Task<(Submission Submission, ScoreRecord Record, ReleasedView Released)> SubmitAsync(Competition competition, string expression)
    {
        Guid id;
        await using (var scope = platform.Scope())
        {
            var user = await Arrange.UserAsync(platform.NewDb(scope), "Accent Hunter");
            var result = await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
                .SubmitAsync(new SubmitRequest(competition.Slug, user.Id, expression, null, null));
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
            id = result.SubmissionId!.Value;
        }
        var submission = await Arrange.FinishedAsync(platform, id, TimeSpan.FromSeconds(120));
        await using (var scope = platform.Scope())
        {
            var score = await platform.NewDb(scope).Scores.AsNoTracking().SingleAsync(s => s.SubmissionId == id);
            return (submission, score.Record, SubmissionScorer.Release(score.Record));
        }
    }

    [Fact]
    public async Task Open_FromOneTableWithErrorsAndSizeColumns_SplitsBySpeaker_AndScoresAFindingInWordErrorRate()
    {
        var draft = new CompetitionDraft { HoldoutShare = 0.5 };
        Assert.Null(draft.UploadCombined("asr-errors.csv", Text(EvaluationTableData.Counts())));
        var details = Details("asr-counts", Metric.Wer);
        Assert.Null(draft.ConfirmEvaluationTable(new EvaluationColumns("speaker_id", ["utterance_id"], Errors: "errors", Size: "words"), Settings(details, draft)));
        Assert.Equal(["accent", "noise"], draft.Schema!.Features.Select(f => f.Name));
        Assert.NotNull(draft.DataSplitSeed);
        Assert.InRange(draft.Check!.Percent, 5, 40);

        var competition = await OpenAsync(details, draft);

        await AssertStoredAsync(competition, draft, "errors", "speaker_id");
        var (submission, record, released) = await SubmitAsync(competition, EvaluationTableData.Group);
        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.Equal(Metric.Wer, record.Metric);
        Assert.StartsWith("cluster-robust t (", record.Finding!.Test);
        Assert.True(record.Finding.Verified, released.Summary);
        Assert.StartsWith("Finding verified: the word error rate is higher on this group than elsewhere", released.Summary);

        var leaderboard = await platform.CreateClient().GetStringAsync($"/competitions/{competition.Slug}/leaderboard");
        var text = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(leaderboard, "<[^>]+>", ""), @"\s+", " "));
        Assert.Contains($"Word error rate of the evaluated system on the holdout's feedback part: {draft.Check.Percent.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} %.", text);
        Assert.DoesNotContain("How the model improved", leaderboard);
    }

    [Fact]
    public async Task Open_FromTheSpeechDemosTranscripts_CountsWordErrors_AndScoresAFindingOnAccentAndNoise()
    {
        var draft = new CompetitionDraft { HoldoutShare = 0.5 };
        Assert.Null(draft.UploadCombined("speech-eval.csv.gz", File.ReadAllBytes(Path.Combine(Folder, "speech", "speech-eval.csv.gz"))));
        var details = Details("asr-transcripts-wer", Metric.Wer);
        var columns = new EvaluationColumns("speaker_id", ["utterance_id", "sentence_id"], Reference: "reference", Hypothesis: "hypothesis");

        Assert.Null(draft.ConfirmEvaluationTable(columns, Settings(details, draft)));

        Assert.Equal(("word_errors", "reference_words"), (draft.Schema!.LossErrorsColumn, draft.Schema.LossSizeColumn));
        Assert.Equal(["accent", "speaker_gender", "speaking_rate", "noise"], draft.Schema.Features.Select(f => f.Name));
        Assert.Contains("numbers as written", draft.Schema.ErrorCounting);
        Assert.InRange(draft.Check!.Percent, 30, 80); // the demo recogniser's word error rate is about 56 %
        var competition = await OpenAsync(details, draft);

        await AssertStoredAsync(competition, draft, "word_errors", "speaker_id");
        // Every accent but one, in the loudest noise: rows from most speakers on every side of any split. The accent left
        // out is one the public part has: a split by whole speakers (4 per accent here) can put all of one accent's
        // speakers in the holdout, and an expression may only name values the public data shows.
        var excluded = PublicValues(draft, "accent").Order(StringComparer.Ordinal).First();
        var (submission, record, released) = await SubmitAsync(competition, $"accent != \"{excluded}\" and noise == \"loud-5dB\"");
        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.Equal(Metric.Wer, record.Metric);
        Assert.StartsWith("cluster-robust t (", record.Finding!.Test);
        Assert.Contains(record.Finding.Verified ? "word error rate is higher" : "the system", released.Summary);
        Assert.DoesNotContain("model", released.Summary);

        var page = await platform.CreateClient().GetStringAsync($"/competitions/{competition.Slug}");
        Assert.Contains("How errors were counted: word errors (substitutions, deletions, insertions) of &#x27;hypothesis&#x27; against &#x27;reference&#x27;", page);
        Assert.Contains("case ignored, punctuation removed (apostrophes and hyphens inside words kept), numbers as written", page);
        Assert.Contains("not independent", page);
    }

    /// <summary>The distinct values of a column of the draft's public part (a gzipped CSV whose values hold no commas).</summary>
    private static IReadOnlyList<string> PublicValues(CompetitionDraft draft, string column)
    {
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(draft.TrainingFile!.Content), System.IO.Compression.CompressionMode.Decompress));
        var index = Array.IndexOf(reader.ReadLine()!.Split(','), column);
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { Length: > 0 } line) values.Add(line.Split(',')[index]);
        return [.. values];
    }

    [Fact]
    public async Task Open_FromAPublicAndAHoldoutTranscriptTable_CountsCharacterErrors_AndScoresAFinding()
    {
        var lines = EvaluationTableData.Transcripts().TrimEnd('\n').Split('\n');
        // speakers spk00–spk11 public, the rest hidden: whole speakers on each side
        var isPublic = (string line) => int.Parse(line.Split(',')[1][3..], System.Globalization.CultureInfo.InvariantCulture) < 12;
        var publicTable = string.Join('\n', lines.Take(1).Concat(lines.Skip(1).Where(isPublic))) + "\n";
        var holdoutTable = string.Join('\n', lines.Take(1).Concat(lines.Skip(1).Where(l => !isPublic(l)))) + "\n";
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("asr-public.csv", Text(publicTable)));
        Assert.Null(draft.UploadHoldout("asr-holdout.csv", Text(holdoutTable)));
        var details = Details("asr-transcripts-cer", Metric.Cer);

        Assert.Null(draft.ConfirmEvaluationTable(new EvaluationColumns("speaker_id", ["utterance_id"], Reference: "reference", Hypothesis: "hypothesis"),
            Settings(details, draft)));

        Assert.Equal(("char_errors", "reference_chars"), (draft.Schema!.LossErrorsColumn, draft.Schema.LossSizeColumn));
        Assert.Null(draft.DataSplitSeed);
        Assert.Equal(36 * 40, draft.HoldoutFile!.Load().RowCount);
        var competition = await OpenAsync(details, draft);

        await AssertStoredAsync(competition, draft, "char_errors", "speaker_id");
        var (submission, record, released) = await SubmitAsync(competition, EvaluationTableData.Group);
        Assert.Equal(SubmissionState.Scored, submission.State);
        Assert.Equal(Metric.Cer, record.Metric);
        Assert.True(record.Finding!.Verified, released.Summary);
        Assert.StartsWith("Finding verified: the character error rate is higher on this group than elsewhere", released.Summary);
    }

    [Fact]
    public async Task Open_ATableWithAZeroSize_StoresNothing()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("asr-errors.csv", Text(EvaluationTableData.Counts().Replace(",9\n", ",0\n"))));
        var details = Details("asr-zero-size", Metric.Wer);
        Assert.NotNull(draft.ConfirmEvaluationTable(new EvaluationColumns("speaker_id", [], Errors: "errors", Size: "words"), Settings(details, draft)));

        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var (competition, errors) = await CreateCompetition.OpenAsync(platform.NewDb(scope), scope.ServiceProvider.GetRequiredService<CompetitionAssembly>(),
            details, draft, organizerId, CancellationToken.None);

        Assert.Null(competition);
        Assert.Equal("Upload the data and confirm its schema first.", errors["Data"]);
        Assert.False(await platform.NewDb(scope).Competitions.AnyAsync(c => c.Slug == "asr-zero-size"));
    }

    [Fact]
    public async Task Open_AModelDraftAsAnEvaluationTable_IsRefused()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("train.csv", Text(Table(200))));
        Assert.Null(draft.ConfirmSchema("y", "high", [], Metric.Error));
        Assert.Null(draft.TrainBaseline(new CompetitionSettings()));

        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var (competition, errors) = await CreateCompetition.OpenAsync(platform.NewDb(scope), scope.ServiceProvider.GetRequiredService<CompetitionAssembly>(),
            Details("asr-mixed-up", Metric.Wer), draft, organizerId, CancellationToken.None);

        Assert.Null(competition);
        Assert.Equal("The data was confirmed for a model competition; confirm it as an evaluation table (its errors, sizes and speaker) first.", errors["Data"]);
    }
}
