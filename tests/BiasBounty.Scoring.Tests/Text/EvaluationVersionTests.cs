using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Text;

namespace BiasBounty.Scoring.Tests.Text;

public sealed class EvaluationVersionTests
{
    private static readonly DatasetSchema Schema = new(
        [
            new ColumnSpec("utterance_id", ColumnKind.Categorical, ColumnRole.Hidden),
            new ColumnSpec("speaker_id", ColumnKind.Categorical, ColumnRole.Hidden),
            new ColumnSpec("accent", ColumnKind.Categorical),
            new ColumnSpec("word_errors", ColumnKind.Numeric, ColumnRole.Loss),
            new ColumnSpec("reference_words", ColumnKind.Numeric, ColumnRole.Loss),
        ],
        LossErrorsColumn: "word_errors", LossSizeColumn: "reference_words", ClusterColumn: "speaker_id", ItemIdColumn: "utterance_id");

    // The stored evaluation: a public part and a holdout that together hold u1…u5.
    private static readonly Dataset PublicPart = Table("""
        utterance_id,speaker_id,accent,word_errors,reference_words
        u1,s1,Scottish,4,10
        u2,s1,Scottish,2,8
        """);

    private static readonly Dataset HiddenPart = Table("""
        utterance_id,speaker_id,accent,word_errors,reference_words
        u3,s2,Irish,1,10
        u4,s3,Scottish,5,9
        u5,s3,Scottish,3,7
        """);

    private static Dataset Table(string csv, DatasetSchema? schema = null) =>
        CsvDatasetLoader.Load(Encoding.UTF8.GetBytes(csv), new CsvLoadOptions(Schema: schema ?? Schema));

    /// <summary>An upload as the platform reads one: kinds inferred, no schema.</summary>
    private static Dataset Upload(string csv) => CsvDatasetLoader.Load(Encoding.UTF8.GetBytes(csv));

    private static IReadOnlyList<Dataset> Match(string csv) =>
        EvaluationVersion.Match(Upload(csv), [PublicPart, HiddenPart], "v1.csv", EvaluationVersion.Transcripts.Words);

    private static string Refusal(string csv) => Assert.Throws<ScoringInputException>(() => Match(csv)).Message;

    private static float[] Errors(Dataset table) => ((NumericColumn)table["word_errors"]).Values;

    [Fact]
    public void Match_InAnyOrder_ReturnsEachPartInItsOwnRowOrder_WithTheNewErrors()
    {
        var parts = Match("""
            utterance_id,accent,word_errors,reference_words
            u5,Scottish,1,7
            u1,Scottish,2,10
            u3,Irish,1,10
            u2,Scottish,0,8
            u4,Scottish,2,9
            """);

        Assert.Equal([2f, 0f], Errors(parts[0]));
        Assert.Equal([1f, 2f, 1f], Errors(parts[1]));
        // Everything else is the stored table's: same rows, same speakers, so the holdout splits the same way.
        Assert.Equal(HiddenPart.Schema, parts[1].Schema);
        Assert.Same(HiddenPart["speaker_id"], parts[1]["speaker_id"]);
        Assert.Equal([9f, 7f], ((NumericColumn)parts[1]["reference_words"]).Values[1..]);
    }

    [Fact]
    public void Match_Transcripts_AreTurnedIntoWordErrors()
    {
        var parts = Match("""
            utterance_id,accent,reference,hypothesis
            u1,Scottish,the cat sat,the cat sat
            u2,Scottish,a b c d,a x c
            u3,Irish,one two,one two
            u4,Scottish,one,two
            u5,Scottish,yes,yes
            """);

        Assert.Equal([0f, 2f], Errors(parts[0]));
        Assert.Equal([3f, 4f], ((NumericColumn)parts[0]["reference_words"]).Values);
        Assert.Equal([0f, 1f, 0f], Errors(parts[1]));
    }

    [Fact]
    public void Match_MissingIds_AreCounted_WithoutNamingThem()
    {
        var message = Refusal("""
            utterance_id,accent,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,0,8
            u3,Irish,1,10
            """);

        Assert.StartsWith("2 item ids ('utterance_id') of the evaluation are missing from v1.csv", message);
        Assert.DoesNotContain("u4", message);
        Assert.DoesNotContain("u5", message);
    }

    [Fact]
    public void Match_ExtraIds_AreCounted_WithTheFirstLine()
    {
        var message = Refusal("""
            utterance_id,accent,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,0,8
            u3,Irish,1,10
            u4,Scottish,2,9
            u9,Scottish,2,9
            u5,Scottish,1,7
            u8,Irish,2,9
            """);

        Assert.StartsWith("2 rows of v1.csv name an item the evaluation does not hold (the first on line 6)", message);
    }

    [Fact]
    public void Match_MissingAndExtra_AreBothSaid()
    {
        var message = Refusal("""
            utterance_id,accent,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,0,8
            u3,Irish,1,10
            u4,Scottish,2,9
            u6,Scottish,1,7
            """);

        Assert.Equal("1 item id ('utterance_id') of the evaluation is missing from v1.csv; 1 row of v1.csv names an item the evaluation " +
                     "does not hold (the first on line 6). A new version evaluates exactly the competition's items, each once.", message);
    }

    [Fact]
    public void Match_DuplicatedId_NamesBothLines_NotTheId()
    {
        var message = Refusal("""
            utterance_id,accent,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,0,8
            u4,Scottish,2,9
            u3,Irish,1,10
            u4,Scottish,2,9
            u5,Scottish,1,7
            """);

        Assert.Equal("v1.csv, line 6, column 'utterance_id': the same utterance_id as line 4; each item is evaluated once", message);
    }

    [Theory]
    [InlineData("-1", "10", "line 3, column 'word_errors': the error count must not be negative")]
    [InlineData("1", "0", "line 3, column 'reference_words': the size must be greater than 0")]
    [InlineData("1", "", "line 3, column 'reference_words': the value is missing")]
    public void Match_InvalidLosses_AreRefused_WithLineAndColumn(string errors, string words, string expected)
    {
        var message = Refusal($"""
            utterance_id,accent,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,{errors},{words}
            u3,Irish,1,10
            u4,Scottish,2,9
            u5,Scottish,1,7
            """);

        Assert.Equal("v1.csv, " + expected, message);
    }

    [Fact]
    public void Match_WithoutAFeatureColumn_IsRefused()
    {
        var message = Refusal("""
            utterance_id,dialect,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,0,8
            u3,Irish,1,10
            u4,Scottish,2,9
            u5,Scottish,1,7
            """);

        Assert.StartsWith("v1.csv has no column 'accent'", message);
    }

    [Fact]
    public void Match_AChangedFeatureValue_IsRefused_WithoutQuotingIt()
    {
        var message = Refusal("""
            utterance_id,accent,word_errors,reference_words
            u1,Scottish,2,10
            u2,Scottish,0,8
            u3,Irish,1,10
            u4,Welsh,2,9
            u5,Scottish,1,7
            """);

        Assert.Equal("v1.csv, line 5, column 'accent': the value differs from the evaluation's for this item; a new version evaluates the same items with the same features", message);
    }

    [Fact]
    public void Match_WithoutIdColumn_OrLosses_OrAnItemIdInTheSchema_IsRefused()
    {
        Assert.StartsWith("v1.csv has no column 'utterance_id'", Refusal("""
            accent,word_errors,reference_words
            Scottish,2,10
            """));
        Assert.StartsWith("v1.csv has neither the loss columns 'word_errors' and 'reference_words' nor the transcript columns", Refusal("""
            utterance_id,accent
            u1,Scottish
            """));
        Assert.StartsWith("v1.csv has 'word_errors' but not 'reference_words'", Refusal("""
            utterance_id,accent,word_errors
            u1,Scottish,2
            """));

        var withoutIds = Schema with { ItemIdColumn = null };
        var stored = Table("utterance_id,speaker_id,accent,word_errors,reference_words\nu1,s1,Scottish,4,10\n", withoutIds);
        var refusal = Assert.Throws<ScoringInputException>(() =>
            EvaluationVersion.Match(Upload("utterance_id,accent,word_errors,reference_words\nu1,Scottish,2,10\n"), [stored], "v1.csv", EvaluationVersion.Transcripts.Words));
        Assert.Contains("names no item id column", refusal.Message);
    }

    [Fact]
    public void Schema_StoredBeforeItemIds_StillReads()
    {
        const string json = """{"columns":[{"name":"a","kind":"Numeric","role":"Feature"}],"clusterColumn":"a"}""";

        var schema = System.Text.Json.JsonSerializer.Deserialize<DatasetSchema>(json, SchemaFile.Json)!;

        Assert.Null(schema.ItemIdColumn);
        Assert.Equal("a", schema.ClusterColumn);
    }
}
