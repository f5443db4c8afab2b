using System.Globalization;
using System.Text;

namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// Writes an expression in one normal form: single spaces, lower-case keywords, <c>in</c> lists sorted and without
/// duplicates, numbers in shortest round-trip form, text in double quotes, parentheses only where precedence needs them
/// — except that the operand of <c>not</c> is always parenthesised, so <c>not (x in (1))</c> is never confused with
/// <c>x not in (1)</c> (they differ on missing values). Parsing the output gives the same output again.
/// </summary>
internal static class CanonicalText
{
    public static string Print(ExpressionNode node)
    {
        var text = new StringBuilder();
        Write(text, node, Precedence.Or);
        return text.ToString();
    }

    public static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "==",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static string Column(string name) =>
        Lexer.IsPlainIdentifier(name) ? name : "`" + name.Replace("\\", "\\\\").Replace("`", "\\`") + "`";

    public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string Number(float value) => (value == 0 ? 0f : value).ToString("R", CultureInfo.InvariantCulture);

    public static string Literal(Literal literal) => literal switch
    {
        NumberLiteral number => Number(number.Value),
        StringLiteral text => String(text.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(literal), literal, null),
    };

    /// <summary>The values of an <c>in</c> list sorted (numbers by value, text ordinally) and without duplicates.</summary>
    public static IEnumerable<string> SortedValues(IReadOnlyList<Literal> values) =>
        values.All(v => v is NumberLiteral)
            ? values.Cast<NumberLiteral>().Select(n => n.Value == 0 ? 0f : n.Value).Distinct().Order().Select(Number)
            : values.Cast<StringLiteral>().Select(s => s.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(String);

    private enum Precedence
    {
        Or,
        And,
        Atom,
    }

    private static void Write(StringBuilder text, ExpressionNode node, Precedence context)
    {
        switch (node)
        {
            case OrNode or:
                WrapIf(text, context > Precedence.Or, () =>
                {
                    Write(text, or.Left, Precedence.Or);
                    text.Append(" or ");
                    Write(text, or.Right, Precedence.Or);
                });
                break;
            case AndNode and:
                WrapIf(text, context > Precedence.And, () =>
                {
                    Write(text, and.Left, Precedence.And);
                    text.Append(" and ");
                    Write(text, and.Right, Precedence.And);
                });
                break;
            case NotNode not:
                text.Append("not ");
                WrapIf(text, true, () => Write(text, not.Operand, Precedence.Or));
                break;
            case ComparisonNode comparison:
                text.Append(Column(comparison.Column.Name)).Append(' ').Append(Operator(comparison.Operator)).Append(' ')
                    .Append(Literal(comparison.Value));
                break;
            case InNode @in:
                text.Append(Column(@in.Column.Name)).Append(@in.Negated ? " not in (" : " in (")
                    .AppendJoin(", ", SortedValues(@in.Values)).Append(')');
                break;
            case MissingNode missing:
                text.Append(Column(missing.Column.Name)).Append(missing.Negated ? " is not missing" : " is missing");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node, null);
        }
    }

    private static void WrapIf(StringBuilder text, bool wrap, Action write)
    {
        if (wrap) text.Append('(');
        write();
        if (wrap) text.Append(')');
    }
}
