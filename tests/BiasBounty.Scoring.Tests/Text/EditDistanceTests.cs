using BiasBounty.Scoring.Text;

namespace BiasBounty.Scoring.Tests.Text;

public sealed class EditDistanceTests
{
    private static EditCounts Words(string reference, string hypothesis, TextNormalization? normalization = null) =>
        EditDistance.Count(reference, hypothesis, ErrorUnit.Word, normalization ?? TextNormalization.Default);

    [Fact]
    public void Words_JiwerReadmeExample_IsHalf()
    {
        // jiwer's README: wer("hello world", "hello duck") == 0.5, with its default transformation (no normalisation).
        var counts = Words("hello world", "hello duck", TextNormalization.None);
        Assert.Equal(new EditCounts(1, 0, 0, 2), counts);
        Assert.Equal(0.5, counts.Rate);
    }

    [Theory]
    // reference, hypothesis, S, D, I — worked by hand
    [InlineData("a b c d", "a x c d e", 1, 0, 1)]
    [InlineData("a b c", "a c", 0, 1, 0)]
    [InlineData("a b c", "a b c", 0, 0, 0)]
    [InlineData("the cat sat on the mat", "the cat sit on mat", 1, 1, 0)]
    [InlineData("the quick brown fox jumps over the lazy dog", "the quick brown fox jumped over a lazy dog", 2, 0, 0)]
    [InlineData("one two", "one two three four", 0, 0, 2)]
    [InlineData("one two three", "", 0, 3, 0)]
    public void Words_CountSubstitutionsDeletionsAndInsertions(string reference, string hypothesis, int s, int d, int i)
    {
        var counts = Words(reference, hypothesis);
        Assert.Equal((s, d, i), (counts.Substitutions, counts.Deletions, counts.Insertions));
        Assert.Equal(reference.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, counts.ReferenceLength);
    }

    [Fact]
    public void Words_EmptyReference_CountsInsertions_AndHasNoRate()
    {
        var counts = Words("", "uh huh");
        Assert.Equal(new EditCounts(0, 0, 2, 0), counts);
        Assert.True(double.IsNaN(counts.Rate));
    }

    [Fact]
    public void Words_RateCanExceedOne()
    {
        Assert.Equal(3.0, Words("yes", "no no no").Rate); // one substitution and two insertions over one word
    }

    [Theory]
    [InlineData("Hello, World!", "hello world", 0)]
    [InlineData("I don't know.", "i dont know", 1)]          // the apostrophe belongs to the word
    [InlineData("a well-known fact", "a well known fact", 2)] // so does an inner hyphen: one word against two
    [InlineData("The end.Next one", "the end next one", 0)]  // a full stop between words separates them
    [InlineData("ÉCOLE   du  Soir", "école du soir", 0)]     // case folds beyond ASCII; runs of spaces are one
    [InlineData("It cost $12", "it cost 12", 0)]              // symbols go, digits stay
    [InlineData("It cost 12", "it cost twelve", 1)]           // numbers stay as written
    public void Words_DefaultNormalization_IgnoresCaseAndPunctuation(string reference, string hypothesis, int errors)
    {
        Assert.Equal(errors, Words(reference, hypothesis).Errors);
    }

    [Fact]
    public void Words_WithoutNormalization_CompareTheTextAsWritten()
    {
        Assert.Equal(2, Words("Hello, World!", "hello world", TextNormalization.None).Errors);
        Assert.Equal(1, Words("Hello world", "hello world", new TextNormalization(LowerCase: false, RemovePunctuation: true)).Errors);
    }

    [Fact]
    public void Characters_CountEveryCharacterIncludingSpaces()
    {
        // "world" → "duck": four substitutions and a deletion; 11 reference characters with the space.
        var counts = EditDistance.Count("hello world", "hello duck", ErrorUnit.Character, TextNormalization.None);
        Assert.Equal(new EditCounts(4, 1, 0, 11), counts);
        Assert.Equal(5.0 / 11, counts.Rate, 12);
    }

    [Fact]
    public void Characters_UseTheNormalizedText()
    {
        Assert.Equal(0, EditDistance.Count("Hi, there!", "hi there", ErrorUnit.Character, TextNormalization.Default).Errors);
    }

    [Fact]
    public void Count_IsTheMinimumEditDistance_AgainstABruteForceOnRandomPairs()
    {
        var random = new Random(7);
        string Sentence() => string.Join(' ', Enumerable.Range(0, random.Next(0, 7)).Select(_ => "abcd"[random.Next(4)].ToString()));
        for (var trial = 0; trial < 500; trial++)
        {
            var (r, h) = (Sentence(), Sentence());
            var counts = Words(r, h);
            Assert.Equal(Levenshtein(r.Split(' ', StringSplitOptions.RemoveEmptyEntries), h.Split(' ', StringSplitOptions.RemoveEmptyEntries)), counts.Errors);
            // Deleting every reference word and inserting every hypothesis word is always possible, so never worse.
            Assert.True(counts.Deletions <= counts.ReferenceLength);
        }
    }

    [Fact]
    public void Count_RefusesTextsLongerThanTheLimit()
    {
        var huge = string.Join(' ', Enumerable.Repeat("word", EditDistance.MaxTextLength / 4));
        Assert.Throws<ArgumentException>(() => Words(huge, "word"));
    }

    [Fact]
    public void TranscriptErrors_CountEachRow_AsTheSingleCountDoes()
    {
        var references = Enumerable.Range(0, 5000).Select(i => $"row {i} says hello world").ToArray();
        var hypotheses = Enumerable.Range(0, 5000).Select(i => i % 3 == 0 ? $"row {i} says hello" : $"row {i} say hello world").ToArray();
        var counts = TranscriptErrors.Count(references, hypotheses, ErrorUnit.Word, TextNormalization.Default);
        for (var i = 0; i < counts.Length; i += 97)
            Assert.Equal(Words(references[i], hypotheses[i]), counts[i]);
        Assert.Equal(5000, counts.Sum(c => c.Errors));
    }

    private static int Levenshtein(string[] a, string[] b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
