using System.Globalization;

namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// Recursive-descent parser for the subgroup language. Hand-written rather than generated so that every error can name
/// the exact character position and say in plain words what was expected.
/// </summary>
/// <remarks>
/// <code>
/// expression := or
/// or         := and ("or" and)*
/// and        := unary ("and" unary)*
/// unary      := "not" unary | "(" or ")" | condition
/// condition  := column ( ("==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=") literal
///                      | "not"? "in" "(" literal ("," literal)* ")"
///                      | "is" "not"? "missing" )
/// column     := [A-Za-z_][A-Za-z0-9_.-]* | `any text`
/// literal    := number | "text" | 'text'
/// </code>
/// </remarks>
internal sealed class Parser
{
    private readonly Lexer _lexer;
    private Token _current;
    private Token _previous;
    private int _conditions;

    private Parser(string text)
    {
        _lexer = new Lexer(text);
        _current = _lexer.Next();
    }

    public static ExpressionNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > SubgroupExpression.MaxLength)
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture,
                $"the expression is {text.Length:N0} characters long; the limit is {SubgroupExpression.MaxLength:N0}"));
        var parser = new Parser(text);
        if (parser._current.Kind == TokenKind.End) throw new ExpressionException("the expression is empty");
        var root = parser.ParseOr(0);
        var rest = parser._current;
        return rest.Kind switch
        {
            TokenKind.End => root,
            TokenKind.RightParen => throw new ExpressionException("unexpected ')' without a matching '('", rest.Position),
            _ => throw new ExpressionException(
                $"unexpected {rest.Describe()} after a complete condition; join conditions with 'and' or 'or'", rest.Position),
        };
    }

    private ExpressionNode ParseOr(int depth)
    {
        var left = ParseAnd(depth);
        while (Accept(TokenKind.Or)) left = new OrNode(left, ParseAnd(depth));
        return left;
    }

    private ExpressionNode ParseAnd(int depth)
    {
        var left = ParseUnary(depth);
        while (Accept(TokenKind.And)) left = new AndNode(left, ParseUnary(depth));
        return left;
    }

    /// <summary>
    /// Each <c>not</c> and each <c>(</c> is one level of <paramref name="depth"/>, except a <c>(</c> right after
    /// <c>not</c>: <c>not (e)</c> counts as one level, as <c>not e</c> does, so the canonical form (which always writes
    /// the parentheses) is never deeper than the text it came from.
    /// </summary>
    private ExpressionNode ParseUnary(int depth, bool afterNot = false)
    {
        var start = _current;
        var deeper = start.Kind == TokenKind.Not || (start.Kind == TokenKind.LeftParen && !afterNot);
        if (deeper && depth >= SubgroupExpression.MaxDepth)
            throw new ExpressionException(
                $"the expression is nested too deeply; the limit is {SubgroupExpression.MaxDepth} levels of parentheses and 'not'", start.Position);
        if (Accept(TokenKind.Not)) return new NotNode(ParseUnary(depth + 1, afterNot: true), start.Position);
        if (Accept(TokenKind.LeftParen))
        {
            var inner = ParseOr(deeper ? depth + 1 : depth);
            if (!Accept(TokenKind.RightParen))
                throw _current.Kind == TokenKind.End
                    ? new ExpressionException($"missing ')' to close the '(' at column {start.Position}", _current.Position)
                    : Unexpected("')' or 'and' or 'or'");
            return inner;
        }
        return ParseCondition();
    }

    private ConditionNode ParseCondition()
    {
        var name = _current;
        if (name.Kind != TokenKind.Identifier) throw Unexpected("a condition");
        Advance();
        if (++_conditions > SubgroupExpression.MaxConditions)
            throw new ExpressionException($"too many conditions; the limit is {SubgroupExpression.MaxConditions}", name.Position);
        var column = new ColumnReference(name.Value, name.Position);
        var op = _current;
        switch (op.Kind)
        {
            case TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual:
                Advance();
                return new ComparisonNode(column, ToOperator(op.Kind), op.Position, ParseLiteral());
            case TokenKind.In:
                Advance();
                return new InNode(column, false, op.Position, ParseList());
            case TokenKind.Not:
                Advance();
                Expect(TokenKind.In, "'in'");
                return new InNode(column, true, op.Position, ParseList());
            case TokenKind.Is:
                Advance();
                var negated = Accept(TokenKind.Not);
                Expect(TokenKind.Missing, negated ? "'missing'" : "'missing' or 'not missing'");
                return new MissingNode(column, negated);
            default:
                throw Unexpected("a comparison (==, !=, <, <=, >, >=, in, not in, is missing)");
        }
    }

    private List<Literal> ParseList()
    {
        var open = _current;
        Expect(TokenKind.LeftParen, "'(' and a list of values");
        if (_current.Kind == TokenKind.RightParen)
            throw new ExpressionException("the list after 'in' is empty; give at least one value", open.Position);
        var values = new List<Literal> { ParseLiteral() };
        while (!Accept(TokenKind.RightParen))
        {
            if (_current.Kind == TokenKind.End)
                throw new ExpressionException($"missing ')' to close the list opened at column {open.Position}", _current.Position);
            if (!Accept(TokenKind.Comma)) throw Unexpected("',' or ')' in the list");
            var value = ParseLiteral();
            if (value.GetType() != values[0].GetType())
                throw new ExpressionException("a list cannot mix numbers and text", value.Position);
            values.Add(value);
        }
        return values;
    }

    private Literal ParseLiteral()
    {
        var token = _current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new NumberLiteral(token.Number, token.Text, token.Position);
            case TokenKind.String:
                Advance();
                return new StringLiteral(token.Value, token.Position);
            case TokenKind.Identifier:
                throw new ExpressionException(
                    $"expected a number or quoted text after '{_previous.Text}', found {token.Describe()} (text values need quotes: \"{token.Value}\")",
                    token.Position);
            default:
                throw Unexpected("a number or quoted text");
        }
    }

    private void Advance()
    {
        _previous = _current;
        _current = _lexer.Next();
    }

    private bool Accept(TokenKind kind)
    {
        if (_current.Kind != kind) return false;
        Advance();
        return true;
    }

    private void Expect(TokenKind kind, string what)
    {
        if (!Accept(kind)) throw Unexpected(what);
    }

    /// <summary>"expected X after 'Y', found Z", or "... but the expression ends" at the end.</summary>
    private ExpressionException Unexpected(string expected)
    {
        var after = !string.IsNullOrEmpty(_previous.Text) ? $" after {_previous.Describe()}" : "";
        return _current.Kind == TokenKind.End
            ? new ExpressionException($"expected {expected}{after}, but the expression ends", _current.Position)
            : new ExpressionException($"expected {expected}{after}, found {_current.Describe()}", _current.Position);
    }

    private static ComparisonOperator ToOperator(TokenKind kind) => kind switch
    {
        TokenKind.Equal => ComparisonOperator.Equal,
        TokenKind.NotEqual => ComparisonOperator.NotEqual,
        TokenKind.Less => ComparisonOperator.Less,
        TokenKind.LessOrEqual => ComparisonOperator.LessOrEqual,
        TokenKind.Greater => ComparisonOperator.Greater,
        TokenKind.GreaterOrEqual => ComparisonOperator.GreaterOrEqual,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
