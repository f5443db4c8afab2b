using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Scoring.Tests.Expressions;

/// <summary>
/// Characters outside ASCII where the language expects a column name or an operator: reported as the character a
/// person typed (an emoji is one character, not half of its surrogate pair) with how to write it instead.
/// </summary>
public class NonAsciiCharacterErrorTests
{
    private const string Advice = "a column name written as is uses only the letters a-z and A-Z, digits, '_', '.' and '-', so write this one between backquotes";

    [Theory]
    [InlineData("\U0001F600 == 1", 1, "'\U0001F600' (U+1F600)", "\U0001F600")]
    [InlineData("AGEP > 60 and \U0001F600col == 2", 15, "'\U0001F600' (U+1F600)", "\U0001F600col")]
    [InlineData("âge > 30", 1, "'â' (U+00E2)", "âge")]
    [InlineData("café == 1", 4, "'é' (U+00E9)", "café")]
    [InlineData("SEX == 2 and 年齢 >= 60", 14, "'年' (U+5E74)", "年齢")]
    public void Parse_NamesTheWholeCharacter_AndHowToWriteIt(string expression, int position, string character, string word)
    {
        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(expression));

        Assert.Equal(position, error.Position);
        Assert.Equal($"unexpected character {character}; {Advice}, like `{word}`, and text between double quotes, like \"{word}\"", error.Reason);
        Assert.DoesNotContain("U+D83D", error.Message);
    }

    [Fact]
    public void Parse_ReportsALoneSurrogate_AsInvalidText()
    {
        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse("AGEP == \uD83D"));

        Assert.Equal("column 9: unexpected character U+D83D, half of a character that is not valid Unicode text", error.Message);
    }

    [Fact]
    public void Parse_ShortensAVeryLongWord_InTheAdvice()
    {
        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse("\U0001F600" + new string('x', 60) + " == 1"));

        Assert.Contains("like `…`", error.Message);
    }

    [Theory]
    [InlineData("`\U0001F600` == 1")]
    [InlineData("name == \"\U0001F600\"")]
    [InlineData("`âge` > 30")]
    public void Parse_AcceptsTheAdvisedSpelling(string expression) => SubgroupExpression.Parse(expression);
}
