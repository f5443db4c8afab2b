using System.Net;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Demo;

/// <summary>The second demo: a word-error-rate competition on an evaluation table, scored end to end.</summary>
public sealed class SpeechDemoTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private async Task<SubmitResult> SubmitAsync(string userId, string expression, byte[]? fix = null)
    {
        await using var scope = platform.Scope();
        return await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
            .SubmitAsync(new SubmitRequest(SpeechDemo.Slug, userId, expression, null, fix is null ? null : new UploadedFix("fix.onnx", fix)));
    }

    [Fact]
    public async Task SpeechDemo_IsSeeded_AsAWordErrorRateCompetition_WithSpeakersKeptOutOfThePublicPart()
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await db.Competitions.Include(c => c.TrainingFile).Include(c => c.HoldoutFile).SingleAsync(c => c.Slug == SpeechDemo.Slug);

        Assert.Equal(Metric.Wer, competition.Metric);
        var publicSpeakers = CompetitionData.LoadDataset(competition.TrainingFile!.Content, competition.TrainingFile.LoadSchemaJson)["speaker_id"];
        var hiddenSpeakers = CompetitionData.LoadDataset(competition.HoldoutFile!.Content, competition.HoldoutFile.LoadSchemaJson)["speaker_id"];
        var publicIds = Enumerable.Range(0, publicSpeakers.Length).Select(publicSpeakers.FormatValue).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, hiddenSpeakers.Length).Select(hiddenSpeakers.FormatValue), publicIds.Contains);
        var version0 = await db.DecisionListVersions.SingleAsync(v => v.CompetitionId == competition.Id && v.Version == 0);
        Assert.InRange(version0.FeedbackLoss, 0.2, 0.9); // the table's word error rate on the feedback part
    }

    [Fact]
    public async Task AFindingOnNoise_IsScoredInWordErrorRateTerms_WithTheClusterRobustTest()
    {
        await using (var scope = platform.Scope())
        {
            var user = await Arrange.UserAsync(platform.NewDb(scope), "Noise Hunter");
            var result = await SubmitAsync(user.Id, "noise == \"loud-5dB\"");
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));

            var submission = await Arrange.FinishedAsync(platform, result.SubmissionId!.Value);

            Assert.Equal(SubmissionState.Scored, submission.State);
            var score = await platform.NewDb(scope).Scores.SingleAsync(s => s.SubmissionId == submission.Id);
            Assert.Equal(Metric.Wer, score.Record.Metric);
            Assert.StartsWith("cluster-robust t (", score.Record.Finding!.Test);
            Assert.True(score.Record.Finding.GroupRate > score.Record.Finding.ComplementRate);
        }

        var page = await platform.CreateClient().GetStringAsync($"/competitions/{SpeechDemo.Slug}/leaderboard");
        Assert.Contains("Word error rate", page);
    }

    [Fact]
    public async Task AFix_IsRefused_BecauseAnEvaluationTableTakesFindingsOnly()
    {
        await using var scope = platform.Scope();
        var user = await Arrange.UserAsync(platform.NewDb(scope), "Would-be Fixer");

        var result = await SubmitAsync(user.Id, "noise == \"quiet\"", fix: [1, 2, 3]);

        Assert.Equal("This competition takes findings only, without a fix model.", result.Errors[SubmitEntry.Fields.Fix]);
    }

    [Fact]
    public async Task CompetitionPage_SaysTheVoicesAreSynthetic()
    {
        var response = await platform.CreateClient().GetAsync($"/competitions/{SpeechDemo.Slug}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The voices are synthetic", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CompetitionPage_StatesHowWordErrorsWereCounted_AndOffersNoModel()
    {
        var html = System.Net.WebUtility.HtmlDecode(await platform.CreateClient().GetStringAsync($"/competitions/{SpeechDemo.Slug}"));

        Assert.Contains("A group's word error rate is the sum of word_errors over the sum of reference_words in it.",
            System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", ""), @"\s+", " "));
        Assert.Contains("How errors were counted: word errors (substitutions, deletions, insertions) of 'hypothesis' against 'reference', computed by the platform; " +
            "transcripts compared with case ignored, punctuation removed (apostrophes and hyphens inside words kept), numbers as written.", html);
        Assert.DoesNotContain("download-model", html);
        Assert.DoesNotContain("train-baseline", html);
        Assert.Contains("bbounty check-group --data speech-wer-training.csv.gz", html);
    }
}
