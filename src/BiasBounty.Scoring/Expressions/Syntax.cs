namespace BiasBounty.Scoring.Expressions;

/// <summary>The comparison operators of the subgroup language.</summary>
public enum ComparisonOperator
{
    /// <summary><c>==</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c> (number columns only)</summary>
    Less,

    /// <summary><c>&lt;=</c> (number columns only)</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c> (number columns only)</summary>
    Greater,

    /// <summary><c>&gt;=</c> (number columns only)</summary>
    GreaterOrEqual,
}

/// <summary>A node of a parsed subgroup expression.</summary>
/// <param name="Position">The 1-based character where the node's text starts (parentheses around it excluded).</param>
public abstract record ExpressionNode(int Position);

/// <summary><c>Left and Right</c>; a chain <c>a and b and c</c> nests to the left.</summary>
/// <param name="Left">The left operand; the node starts where it does.</param>
/// <param name="Right">The right operand.</param>
public sealed record AndNode(ExpressionNode Left, ExpressionNode Right) : ExpressionNode(Left.Position);

/// <summary><c>Left or Right</c>; a chain <c>a or b or c</c> nests to the left.</summary>
/// <param name="Left">The left operand; the node starts where it does.</param>
/// <param name="Right">The right operand.</param>
public sealed record OrNode(ExpressionNode Left, ExpressionNode Right) : ExpressionNode(Left.Position);

/// <summary><c>not Operand</c>: exactly the rows where <see cref="Operand"/> is false, missing values included.</summary>
/// <param name="Operand">The negated expression.</param>
/// <param name="Position">Where the <c>not</c> keyword starts.</param>
public sealed record NotNode(ExpressionNode Operand, int Position) : ExpressionNode(Position);

/// <summary>A column as written: a plain name or a backquoted one.</summary>
/// <param name="Name">The name, with backquote escapes resolved.</param>
/// <param name="Position">Where the name (or its opening backquote) starts.</param>
public sealed record ColumnReference(string Name, int Position);

/// <summary>A leaf: one test of one column (a "condition"; an expression has at most <see cref="SubgroupExpression.MaxConditions"/>).</summary>
/// <param name="Column">The column tested; the node starts where the column name does.</param>
public abstract record ConditionNode(ColumnReference Column) : ExpressionNode(Column.Position);

/// <summary><c>Column Operator Value</c>, e.g. <c>AGEP &gt;= 60</c> or <c>sex == "Female"</c>.</summary>
/// <param name="Column">The column compared.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="OperatorPosition">Where the operator starts.</param>
/// <param name="Value">The literal compared with.</param>
public sealed record ComparisonNode(ColumnReference Column, ComparisonOperator Operator, int OperatorPosition, Literal Value)
    : ConditionNode(Column);

/// <summary><c>Column in (Values)</c>, or <c>Column not in (Values)</c> when <see cref="Negated"/>.</summary>
/// <param name="Column">The column tested.</param>
/// <param name="Negated">True for <c>not in</c>.</param>
/// <param name="OperatorPosition">Where <c>in</c> (or the <c>not</c> of <c>not in</c>) starts.</param>
/// <param name="Values">The values as written, all numbers or all text, at least one; duplicates allowed.</param>
public sealed record InNode(ColumnReference Column, bool Negated, int OperatorPosition, IReadOnlyList<Literal> Values)
    : ConditionNode(Column)
{
    /// <summary>Structural equality, including the values (a list would otherwise compare by reference).</summary>
    public bool Equals(InNode? other) =>
        other is not null && base.Equals(other) && Column == other.Column && Negated == other.Negated
        && OperatorPosition == other.OperatorPosition && Values.SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Column, Negated, OperatorPosition, Values.Count);
}

/// <summary><c>Column is missing</c>, or <c>Column is not missing</c> when <see cref="Negated"/>.</summary>
/// <param name="Column">The column tested.</param>
/// <param name="Negated">True for <c>is not missing</c>.</param>
public sealed record MissingNode(ColumnReference Column, bool Negated) : ConditionNode(Column);

/// <summary>A literal value in a condition.</summary>
/// <param name="Position">Where the literal (or its opening quote) starts.</param>
public abstract record Literal(int Position);

/// <summary>
/// A number literal. <see cref="Value"/> is the written number rounded to <see cref="float"/>, the precision the data
/// is stored in, so <c>x == 0.1</c> matches a value read as <c>0.1</c>.
/// </summary>
/// <param name="Value">The value, rounded to float; never negative zero.</param>
/// <param name="Text">The number as written.</param>
/// <param name="Position">Where the number starts.</param>
public sealed record NumberLiteral(float Value, string Text, int Position) : Literal(Position);

/// <summary>A quoted text literal.</summary>
/// <param name="Value">The text with escapes resolved.</param>
/// <param name="Position">Where the opening quote is.</param>
public sealed record StringLiteral(string Value, int Position) : Literal(Position);
