using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Scoring.Tests.Expressions;

public class SubgroupExpressionErrorTests
{
    [Theory]
    // Columns: unknown, suggested, not usable.
    [InlineData("acs", "SEX==2 and AGE > 60", "column 12: unknown column 'AGE' — did you mean 'AGEP'?")]
    [InlineData("acs", "sex == 2", "column 1: unknown column 'sex' — did you mean 'SEX'?")]
    [InlineData("acs", "RACE in (2, 3)", "column 1: unknown column 'RACE' — did you mean 'RAC1P'?")]
    [InlineData("acs", "INCOME > 1000", "column 1: unknown column 'INCOME'")]
    [InlineData("adult", "hours_per_week > 40", "column 1: unknown column 'hours_per_week' — did you mean 'hours-per-week'?")]
    [InlineData("adult", "maritl-status == \"Divorced\"", "column 1: unknown column 'maritl-status' — did you mean 'marital-status'?")]
    [InlineData("adult", "hours - per - week > 40", "column 7: unexpected character '-'")]
    [InlineData("acs", "PINCP == \"True\"", "column 1: 'PINCP' is the label and cannot be used in a group")]
    [InlineData("adult", "age > 30 and income == \">50K\"", "column 14: 'income' is the label and cannot be used in a group")]
    [InlineData("adult", "fnlwgt > 100000", "column 1: 'fnlwgt' is hidden and cannot be used in a group")]
    [InlineData("custom", "errors > 0", "column 1: 'errors' is a loss column and cannot be used in a group")]
    // Values and types.
    [InlineData("adult", "sex == \"M\"", "column 8: 'M' is not a value of sex; values are Female, Male")]
    [InlineData("adult", "sex == 'male'", "column 8: 'male' is not a value of sex — did you mean 'Male'? Values are Female, Male")]
    [InlineData("adult", "occupation in (\"Sales\", \"Tech support\")", "column 25: 'Tech support' is not a value of occupation — did you mean 'Tech-support'? Values are Adm-clerical, Armed-Forces, Craft-repair, Exec-managerial, Farming-fishing, Handlers-cleaners, Machine-op-inspct, Other-service, Priv-house-serv, Prof-specialty, Protective-serv, Sales, Tech-support, Transport-moving")]
    [InlineData("adult", "native-country == \"Atlantis\"", "column 19: 'Atlantis' is not a value of native-country; values are Cambodia, Canada, China, Columbia, Cuba, Dominican-Republic, Ecuador, El-Salvador, England, France, Germany, Greece, Guatemala, Haiti, Holand-Netherlands, Honduras, Hong, Hungary, India, Iran … and 21 more")]
    [InlineData("custom", "empty == \"x\"", "column 10: 'x' is not a value of empty; values are none (the column is always missing)")]
    [InlineData("adult", "sex == 1", "column 8: sex is a text column; write sex == \"Female\"")]
    [InlineData("adult", "race not in (1, 2)", "column 14: race is a text column; write race not in (\"Amer-Indian-Eskimo\")")]
    [InlineData("acs", "AGEP == \"60\"", "column 9: AGEP is a number column; write 60 without quotes")]
    [InlineData("acs", "AGEP >= 'old'", "column 9: AGEP is a number column; compare it with a number, not text")]
    [InlineData("adult", "sex < \"Male\"", "column 5: '<' compares numbers, but sex is a text column; use ==, != or in (...)")]
    [InlineData("adult", "race in (\"Black\", 2)", "column 19: a list cannot mix numbers and text")]
    [InlineData("acs", "AGEP > 1e999", "column 8: the number 1e999 is out of range; numbers must lie between -3.4e38 and 3.4e38")]
    [InlineData("acs", "AGEP > -4e38", "column 8: the number -4e38 is out of range; numbers must lie between -3.4e38 and 3.4e38")]
    [InlineData("acs", "AGEP > 60abc", "column 8: '60abc' is not a number")]
    [InlineData("acs", "AGEP > 1.2.3", "column 8: '1.2.3' is not a number")]
    // Syntax.
    [InlineData("acs", "", "the expression is empty")]
    [InlineData("acs", "   ", "the expression is empty")]
    [InlineData("acs", "RAC1P in ()", "column 10: the list after 'in' is empty; give at least one value")]
    [InlineData("adult", "sex == \"Female", "column 8: unterminated text; add a closing \"")]
    [InlineData("adult", "sex == 'Female", "column 8: unterminated text; add a closing '")]
    [InlineData("adult", "sex == \"Fe\\\"", "column 8: unterminated text; add a closing \"")]
    [InlineData("adult", "sex == \"a\\nb\"", "column 10: unknown escape '\\n'; the escapes are \\\", \\' and \\\\")]
    [InlineData("custom", "`weird name == 2", "column 1: unterminated column name; add a closing `")]
    [InlineData("custom", "`` == 2", "column 1: empty column name between backquotes")]
    [InlineData("acs", "AGEP # 3", "column 6: unexpected character '#'")]
    [InlineData("acs", "AGEP\t>\u00a0\u0007", "column 8: unexpected character U+0007")]
    [InlineData("acs", "AGEP >=", "column 8: expected a number or quoted text after '>=', but the expression ends")]
    [InlineData("acs", "SEX == 2 and  ", "column 13: expected a condition after 'and', but the expression ends")]
    [InlineData("acs", "not", "column 4: expected a condition after 'not', but the expression ends")]
    [InlineData("acs", "and SEX == 2", "column 1: expected a condition, found 'and'")]
    [InlineData("acs", "AGEP > 60 or ()", "column 15: expected a condition after '(', found ')'")]
    [InlineData("acs", "SEX == 2 AGEP > 60", "column 10: unexpected 'AGEP' after a complete condition; join conditions with 'and' or 'or'")]
    [InlineData("adult", "sex == \"Male\" \"Female\"", "column 15: unexpected \"Female\" after a complete condition; join conditions with 'and' or 'or'")]
    [InlineData("acs", "(SEX == 2", "column 10: missing ')' to close the '(' at column 1")]
    [InlineData("acs", "((SEX == 2) or (AGEP > 60)", "column 27: missing ')' to close the '(' at column 1")]
    [InlineData("acs", "(SEX == 2 AGEP > 60)", "column 11: expected ')' or 'and' or 'or' after '2', found 'AGEP'")]
    [InlineData("acs", "SEX == 2)", "column 9: unexpected ')' without a matching '('")]
    [InlineData("acs", "AGEP = 60", "column 6: '=' is not an operator; write '==' to compare")]
    [InlineData("acs", "SEX == 2 && AGEP > 60", "column 10: '&&' is not an operator; write 'and'")]
    [InlineData("acs", "SEX == 2 || AGEP > 60", "column 10: '||' is not an operator; write 'or'")]
    [InlineData("acs", "!(SEX == 2)", "column 1: '!' is not an operator; write '!=' or 'not'")]
    [InlineData("acs", "SEX <> 2", "column 5: '<>' is not an operator; write '!='")]
    [InlineData("adult", "sex == Male", "column 8: expected a number or quoted text after '==', found 'Male' (text values need quotes: \"Male\")")]
    [InlineData("acs", "AGEP 60", "column 6: expected a comparison (==, !=, <, <=, >, >=, in, not in, is missing) after 'AGEP', found '60'")]
    [InlineData("acs", "AGEP == AGEP", "column 9: expected a number or quoted text after '==', found 'AGEP' (text values need quotes: \"AGEP\")")]
    [InlineData("acs", "60 < AGEP", "column 1: expected a condition, found '60'")]
    [InlineData("adult", "occupation is", "column 14: expected 'missing' or 'not missing' after 'is', but the expression ends")]
    [InlineData("adult", "occupation is not", "column 18: expected 'missing' after 'not', but the expression ends")]
    [InlineData("adult", "occupation is null", "column 15: expected 'missing' or 'not missing' after 'is', found 'null'")]
    [InlineData("acs", "RAC1P not (2, 3)", "column 11: expected 'in' after 'not', found '('")]
    [InlineData("acs", "RAC1P in 2", "column 10: expected '(' and a list of values after 'in', found '2'")]
    [InlineData("acs", "RAC1P in (2, 3", "column 15: missing ')' to close the list opened at column 10")]
    [InlineData("acs", "RAC1P in (2 3)", "column 13: expected ',' or ')' in the list after '2', found '3'")]
    [InlineData("acs", "RAC1P in (2,)", "column 13: expected a number or quoted text after ',', found ')'")]
    [InlineData("acs", "RAC1P in (2, and)", "column 14: expected a number or quoted text after ',', found 'and'")]
    public void Parse_RefusesMalformedExpression_WithExactMessage(string schema, string expression, string expected)
    {
        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(expression).Bind(ExpressionTestData.Schema(schema)));

        Assert.Equal(expected, error.Message);
        Assert.IsAssignableFrom<ScoringInputException>(error);
    }

    [Fact]
    public void Parse_RefusesUnknownColumn_SuggestingClosestName()
    {
        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Compile("SEX==2 and AGE > 60", ExpressionTestData.Acs));

        Assert.Equal("column 12: unknown column 'AGE' — did you mean 'AGEP'?", error.Message);
        Assert.Equal(12, error.Position);
        Assert.Equal("unknown column 'AGE' — did you mean 'AGEP'?", error.Reason);
    }

    [Fact]
    public void Parse_RefusesTextLongerThanTheLimit_WithoutPosition()
    {
        var text = string.Join(" or ", Enumerable.Repeat("AGEP > 1", 100)).PadRight(2_345);

        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(text));

        Assert.Equal("the expression is 2,345 characters long; the limit is 2,000", error.Message);
        Assert.Null(error.Position);
    }

    [Fact]
    public void Parse_AcceptsTextAtTheLimit()
    {
        var text = "AGEP > 1".PadRight(SubgroupExpression.MaxLength);

        Assert.Equal("AGEP > 1", SubgroupExpression.Parse(text).ToCanonicalString());
    }

    [Fact]
    public void Parse_RefusesExpressionWhoseCanonicalFormExceedsTheLimit()
    {
        // 1,806 characters as written; the canonical form adds a space after each of the 449 commas.
        var text = $"x in ({string.Join(",", Enumerable.Range(100, 450))})";
        Assert.Equal(1_806, text.Length);

        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(text));

        Assert.Equal("the expression is 2,255 characters long when written out in canonical form; the limit is 2,000", error.Message);
    }

    [Fact]
    public void Parse_RefusesMoreThan32Conditions_AtTheFirstOneTooMany()
    {
        var ok = string.Join(" or ", Enumerable.Repeat("SEX == 2", 32));
        var tooMany = ok + " or AGEP > 1";

        SubgroupExpression.Parse(ok);
        var error = Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(tooMany));

        Assert.Equal($"column {ok.Length + 5}: too many conditions; the limit is 32", error.Message);
    }

    [Fact]
    public void Parse_RefusesDeepNesting_InsteadOfOverflowingTheStack()
    {
        var ok = new string('(', 64) + "SEX == 2" + new string(')', 64);
        var tooDeep = new string('(', 65) + "SEX == 2" + new string(')', 65);
        var hugeNots = string.Concat(Enumerable.Repeat("not ", 400)) + "SEX == 2";

        Assert.Equal("SEX == 2", SubgroupExpression.Parse(ok).ToCanonicalString());
        Assert.Equal("column 65: the expression is nested too deeply; the limit is 64 levels of parentheses and 'not'",
            Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(tooDeep)).Message);
        Assert.Equal("column 257: the expression is nested too deeply; the limit is 64 levels of parentheses and 'not'",
            Assert.Throws<ExpressionException>(() => SubgroupExpression.Parse(hugeNots)).Message);
    }

    [Fact]
    public void Evaluate_RefusesDataWithoutTheColumn()
    {
        var group = SubgroupExpression.Parse("AGEP > 60").Bind(ExpressionTestData.Schema("acs"));

        var error = Assert.Throws<ExpressionException>(() => group.Evaluate(ExpressionTestData.Adult));

        Assert.Equal("column 1: the data has no column 'AGEP'", error.Message);
    }
}
