using System.Text;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Organize;
using static BiasBounty.Web.Tests.Organize.OrganizeTestData;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>Issue 12: the wizard's evaluation-table step refuses bad tables with the line and column, stores nothing, and never quotes the holdout.</summary>
public sealed class EvaluationTableDraftTests
{
    private static readonly CompetitionSettings Wer = new() { Metric = Metric.Wer, FeedbackShare = 0.5, MinGroupRows = 5 };

    private static readonly EvaluationColumns Transcripts = new("speaker_id", ["utterance_id"], Reference: "reference", Hypothesis: "hypothesis");

    private static readonly EvaluationColumns Counts = new("speaker_id", ["utterance_id"], Errors: "errors", Size: "words");

    private const string TranscriptHeader = "utterance_id,speaker_id,accent,reference,hypothesis\n";

    private const string CountsHeader = "utterance_id,speaker_id,accent,errors,words\n";

    /// <summary>Twelve good rows of six speakers, then <paramref name="extra"/>: the bad row is on line 14.</summary>
    private static string TranscriptTable(string extra) =>
        TranscriptHeader + string.Concat(Enumerable.Range(0, 12).Select(i => $"u{i},s{i % 6},{(i % 2 == 0 ? "A" : "B")},hello there,hello their\n")) + extra;

    private static string CountsTable(string extra) =>
        CountsHeader + string.Concat(Enumerable.Range(0, 12).Select(i => $"u{i},s{i % 6},{(i % 2 == 0 ? "A" : "B")},{i % 3},5\n")) + extra;

    private static string? Confirm(string csv, EvaluationColumns columns, out CompetitionDraft draft)
    {
        draft = new CompetitionDraft { HoldoutShare = 0.5 };
        Assert.Null(draft.UploadCombined("asr.csv", Text(csv)));
        return draft.ConfirmEvaluationTable(columns, Wer);
    }

    private static void AssertNothingKept(CompetitionDraft draft)
    {
        Assert.Null(draft.Schema);
        Assert.Null(draft.TrainingFile);
        Assert.Null(draft.HoldoutFile);
        Assert.Null(draft.Check);
        Assert.False(draft.IsEvaluationTable);
    }

    [Fact]
    public void TranscriptTable_WithAnEmptyReference_NamesTheLineAndColumn()
    {
        var message = Confirm(TranscriptTable("u12,s0,A,,something\n"), Transcripts, out var draft);

        Assert.Equal("The data file, line 14, column 'reference': the reference transcript is empty; an error rate needs what was said.", message);
        AssertNothingKept(draft);
    }

    [Fact]
    public void TranscriptTable_ThatIsNotUtf8_NamesTheLineAndColumn_AndNoValue()
    {
        var bytes = Text(TranscriptTable("u12,s0,A,caf")).Concat(new byte[] { 0xE9 }).Concat(Encoding.ASCII.GetBytes(" secret,cafe\n")).ToArray();

        var draft = new CompetitionDraft();
        var message = draft.UploadCombined("asr.csv", bytes);

        Assert.Equal("The data file could not be read: Line 14, column 'reference': the text is not UTF-8 (another encoding such as Latin-1 or Windows-1252?); save the file as UTF-8.", message);
        Assert.Null(draft.Source);
        var holdoutDraft = new CompetitionDraft();
        Assert.Null(holdoutDraft.UploadTraining("public.csv", Text(TranscriptTable(""))));
        var holdoutMessage = holdoutDraft.UploadHoldout("holdout.csv", bytes);
        Assert.NotNull(holdoutMessage);
        Assert.Contains("Line 14, column 'reference'", holdoutMessage);
        Assert.DoesNotContain("secret", holdoutMessage);
    }

    [Fact]
    public void CountsTable_WithASizeOfZero_NamesTheLineAndColumn()
    {
        var message = Confirm(CountsTable("u12,s0,A,0,0\n"), Counts, out var draft);

        Assert.Equal("The data file, line 14, column 'words': the size must be more than 0 (a row with nothing to count has no error rate).", message);
        AssertNothingKept(draft);
    }

    [Fact]
    public void CountsTable_WithNegativeErrors_NamesTheLineAndColumn()
    {
        var message = Confirm(CountsTable("u12,s0,A,-2,5\n"), Counts, out var draft);

        Assert.Equal("The data file, line 14, column 'errors': errors must be a number of 0 or more.", message);
        AssertNothingKept(draft);
    }

    [Fact]
    public void CountsTable_WithErrorsThatAreNotNumbers_NamesTheLineAndColumn()
    {
        var message = Confirm(CountsTable("u12,s0,A,several,5\n"), Counts, out var draft);

        Assert.Equal("The data file does not fit the chosen columns: Line 14, column 'errors': expected a number.", message);
        AssertNothingKept(draft);
    }

    [Fact]
    public void Table_WithoutASpeakerColumn_AsksForIt_AndAMissingSpeaker_NamesTheLine()
    {
        Assert.Equal("Pick the column that identifies the speaker (or whoever produced each row): rows of one speaker are tested together.",
            Confirm(CountsTable(""), Counts with { Speaker = null }, out var draft));
        AssertNothingKept(draft);
        Assert.Equal("'speaker' is not a column of the file.", Confirm(CountsTable(""), Counts with { Speaker = "speaker" }, out _));

        var message = Confirm(CountsTable("u12,,A,1,5\n"), Counts, out draft);
        Assert.Equal("The data file, line 14, column 'speaker_id': the speaker is missing; every row needs one.", message);
        AssertNothingKept(draft);
    }

    [Fact]
    public void Columns_MustBeChosen_AndDifferent()
    {
        Assert.Equal("Pick the reference column: the transcript of what was said.", Confirm(TranscriptTable(""), Transcripts with { Reference = null, Hypothesis = "hypothesis" }, out _));
        Assert.Equal("Pick the size column: what each row's errors are counted out of (for example reference words).", Confirm(CountsTable(""), Counts with { Size = null }, out _));
        Assert.Equal("The speaker, the errors and the size must be three different columns.", Confirm(CountsTable(""), Counts with { Size = "errors" }, out _));
        Assert.Equal("Keep at least one column as a feature (such as accent or noise): groups are described by them.",
            Confirm(CountsTable(""), Counts with { Hidden = ["utterance_id", "accent"] }, out _));
    }

    [Fact]
    public void AModelMetric_IsRefused_ForAnEvaluationTable()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadCombined("asr.csv", Text(CountsTable(""))));
        Assert.Equal("Choose wer or cer as the metric in step 1: an evaluation table is judged by its word or character error rate.",
            draft.ConfirmEvaluationTable(Counts, new CompetitionSettings { Metric = Metric.Error }));
    }

    [Fact]
    public void HoldoutTable_WithBadRows_NamesTheHoldoutsLineAndColumn_AndNeverItsValues()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("public.csv", Text(CountsTable(""))));
        Assert.Null(draft.UploadHoldout("holdout.csv", Text(CountsHeader + "h1,t1,A,1,5\nh2,t2,B,secret-value,5\n")));

        var message = draft.ConfirmEvaluationTable(Counts, Wer);

        Assert.Equal("The holdout file does not fit the chosen columns: Line 3, column 'errors': expected a number.", message);
        Assert.DoesNotContain("secret", message);
        AssertNothingKept(draft);

        Assert.Null(draft.UploadHoldout("holdout.csv", Text(CountsHeader + "h1,t1,A,1,5\nh2,t2,B,-7,5\n")));
        Assert.Equal("The holdout file, line 3, column 'errors': errors must be a number of 0 or more.", draft.ConfirmEvaluationTable(Counts, Wer));
    }

    [Fact]
    public void HoldoutTranscripts_WithAnEmptyReference_NameTheHoldoutsLine()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("public.csv", Text(TranscriptTable(""))));
        Assert.Null(draft.UploadHoldout("holdout.csv", Text(TranscriptHeader + "h1,t1,A,secret words,x\nh2,t2,B,,secret hypothesis\n")));

        var message = draft.ConfirmEvaluationTable(Transcripts, Wer);

        Assert.Equal("The holdout file, line 3, column 'reference': the reference transcript is empty; an error rate needs what was said.", message);
    }

    [Fact]
    public void TwoTables_SharingASpeaker_AreRefused_WithACountOnly()
    {
        var draft = new CompetitionDraft();
        Assert.Null(draft.UploadTraining("public.csv", Text(CountsTable(""))));
        Assert.Null(draft.UploadHoldout("holdout.csv", Text(CountsHeader + "h1,s1,A,1,5\nh2,t2,B,2,5\nh3,t3,B,0,5\n")));

        Assert.Equal("1 speaker of the holdout file is also in the public file; a speaker must be on one side only (or upload one file and let the platform split it by speaker).",
            draft.ConfirmEvaluationTable(Counts, Wer));
        AssertNothingKept(draft);
    }

    [Fact]
    public void OneTable_IsSplitBySpeaker_WithAStoredSeed()
    {
        Assert.Null(Confirm(EvaluationTableData.Counts(), new EvaluationColumns("speaker_id", ["utterance_id"], Errors: "errors", Size: "words"), out var draft));

        var publicPart = draft.TrainingFile!.Load();
        var holdout = draft.HoldoutFile!.Load();
        Assert.Equal(48 * 40, publicPart.RowCount + holdout.RowCount);
        var hiddenSpeakers = Enumerable.Range(0, holdout.RowCount).Select(holdout["speaker_id"].FormatValue).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, publicPart.RowCount).Select(publicPart["speaker_id"].FormatValue), hiddenSpeakers.Contains);
        Assert.Equal(24, hiddenSpeakers.Count);
        Assert.NotNull(draft.DataSplitSeed);
        Assert.Equal("asr-holdout.csv.gz", draft.HoldoutFile.FileName);
        Assert.True(draft.Feasibility(Wer)!.AnyTestable);
    }

    [Fact]
    public void ChangingTheMetric_AfterCountingFromTranscripts_AsksToConfirmAgain()
    {
        Assert.Null(Confirm(EvaluationTableData.Transcripts(), new EvaluationColumns("speaker_id", ["utterance_id"], Reference: "reference", Hypothesis: "hypothesis"), out var draft));

        Assert.Equal("The errors were counted for wer; the metric is now cer. Confirm the table's columns again to count them anew.",
            draft.Recheck(Wer with { Metric = Metric.Cer }));
    }
}
