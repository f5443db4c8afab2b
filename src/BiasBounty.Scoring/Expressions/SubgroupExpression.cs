using System.Collections.Immutable;
using System.Globalization;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// A parsed subgroup definition such as <c>SEX == 2 and AGEP &gt;= 60 and RAC1P in (2, 3)</c> — comparisons,
/// <c>in (...)</c>, <c>not in (...)</c>, <c>is missing</c>, <c>is not missing</c>, <c>and</c>, <c>or</c>, <c>not</c> and
/// parentheses; <c>not</c> binds tighter than <c>and</c>, which binds tighter than <c>or</c>; keywords ignore case.
/// Column names are written plainly (<c>[A-Za-z_][A-Za-z0-9_.-]*</c>, so <c>hours-per-week</c> is one name) or in
/// backquotes; text goes in double or single quotes with <c>\"</c>, <c>\'</c> and <c>\\</c> as escapes.
/// The text is parsed and interpreted, never executed as code.
/// </summary>
/// <remarks>
/// <para>
/// Missing values: a comparison (<c>==</c>, <c>!=</c>, <c>&lt;</c>, …, <c>in</c>, <c>not in</c>) is false on a row
/// whose value is missing — including <c>!=</c> and <c>not in</c>. So <c>age &lt; 25</c> and <c>age &gt;= 25</c> both
/// leave out rows with no age, while <c>not (age &lt; 25)</c> includes them: unlike SQL's three-valued logic,
/// <c>not e</c> is always the exact complement of <c>e</c>. Use <c>is missing</c> / <c>is not missing</c> to say
/// what should happen to missing rows explicitly.
/// </para>
/// <para>
/// Numbers are compared in <see cref="float"/>, the precision the data is stored in: a literal is rounded to float
/// just as the data values were when the file was read.
/// </para>
/// </remarks>
public sealed class SubgroupExpression
{
    /// <summary>Longest expression accepted, in characters (also applies to its canonical form).</summary>
    public const int MaxLength = 2_000;

    /// <summary>Most conditions (comparisons, <c>in</c> lists, <c>is missing</c> tests) in one expression.</summary>
    public const int MaxConditions = 32;

    /// <summary>Deepest nesting of parentheses and <c>not</c>.</summary>
    public const int MaxDepth = 64;

    private SubgroupExpression(string text, ExpressionNode root, string canonical)
    {
        Text = text;
        Root = root;
        Canonical = canonical;
        Columns = Leaves(root).Select(c => c.Column.Name).ToImmutableSortedSet(StringComparer.Ordinal);
    }

    /// <summary>The text as written.</summary>
    public string Text { get; }

    /// <summary>The syntax tree.</summary>
    public ExpressionNode Root { get; }

    /// <summary>The names of the columns the expression uses, in ordinal order.</summary>
    public IReadOnlySet<string> Columns { get; }

    private string Canonical { get; }

    /// <summary>Parses an expression; checks syntax and limits but not columns (see <see cref="Bind"/>).</summary>
    /// <exception cref="ExpressionException">The text is empty, too long, too deep, has too many conditions or is not valid syntax.</exception>
    public static SubgroupExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = Parser.Parse(text);
        var canonical = CanonicalText.Print(root);
        // Checked so that the canonical form of any accepted expression parses again.
        if (canonical.Length > MaxLength)
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture,
                $"the expression is {canonical.Length:N0} characters long when written out in canonical form; the limit is {MaxLength:N0}"));
        return new SubgroupExpression(text, root, canonical);
    }

    /// <summary>Parses, checks against the data's columns and values, and compiles in one step.</summary>
    /// <exception cref="ExpressionException">The expression is invalid or does not fit the data.</exception>
    public static CompiledGroup Compile(string text, Dataset data) => Parse(text).Compile(data);

    /// <summary>
    /// The expression in normal form: single spaces, lower-case keywords, <c>in</c> lists sorted and without duplicates,
    /// numbers in shortest round-trip form, text double-quoted, parentheses only where precedence needs them (and always
    /// around the operand of <c>not</c>). Two expressions with the same canonical text select the same rows, and parsing
    /// the canonical text gives the same canonical text.
    /// </summary>
    public string ToCanonicalString() => Canonical;

    /// <summary>Checks that every column exists, is a feature, and fits its literals; returns the evaluable group.</summary>
    /// <exception cref="ExpressionException">For the leftmost problem, with its position.</exception>
    public CompiledGroup Bind(ExpressionSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ExpressionChecker.Check(Root, schema);
        return new CompiledGroup(this);
    }

    /// <summary><see cref="Bind"/> against the columns, roles and text values of <paramref name="data"/>.</summary>
    public CompiledGroup Compile(Dataset data) => Bind(ExpressionSchema.Of(data));

    /// <inheritdoc/>
    public override string ToString() => Canonical;

    private static IEnumerable<ConditionNode> Leaves(ExpressionNode node) => node switch
    {
        AndNode and => Leaves(and.Left).Concat(Leaves(and.Right)),
        OrNode or => Leaves(or.Left).Concat(Leaves(or.Right)),
        NotNode not => Leaves(not.Operand),
        ConditionNode condition => [condition],
        _ => [],
    };
}

/// <summary>A checked expression, ready to select rows of any dataset with the columns it was checked against.</summary>
public sealed class CompiledGroup
{
    internal CompiledGroup(SubgroupExpression expression) => Expression = expression;

    /// <summary>The parsed expression.</summary>
    public SubgroupExpression Expression { get; }

    /// <summary>The columns the expression uses.</summary>
    public IReadOnlySet<string> Columns => Expression.Columns;

    /// <summary>The canonical text (<see cref="SubgroupExpression.ToCanonicalString"/>).</summary>
    public string Canonical => Expression.ToCanonicalString();

    /// <summary>
    /// The rows of <paramref name="data"/> in the group, computed with vector instructions — on several threads for
    /// large datasets, as <see cref="EvaluationOptions.MaxDegreeOfParallelism"/> allows. Text values the data does not
    /// contain match no rows (so <c>!=</c> such a value matches every present row). An empty dataset gives an empty set.
    /// </summary>
    /// <exception cref="ExpressionException">The data lacks a column, or a column's kind differs from the one checked.</exception>
    public RowSet Evaluate(Dataset data) => Evaluate(data, KernelMode.Auto, EvaluationOptions.MaxDegreeOfParallelism);

    /// <summary>
    /// <see cref="Evaluate(Dataset)"/> on at most <paramref name="maxDegreeOfParallelism"/> threads (-1: one per
    /// processor; 1: the calling thread only). The result is the same for every setting.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="ExpressionException">The data lacks a column, or a column's kind differs from the one checked.</exception>
    public RowSet Evaluate(Dataset data, int maxDegreeOfParallelism) =>
        Evaluate(data, KernelMode.Auto, EvaluationOptions.Validate(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism)));

    /// <summary>Evaluation with a chosen instruction width, so tests can compare vector and scalar paths.</summary>
    internal RowSet Evaluate(Dataset data, KernelMode mode, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        return RowSet.FromWords(data.RowCount, MaskEvaluator.Evaluate(Expression.Root, data, mode, maxDegreeOfParallelism));
    }
}
