using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// Evaluates a checked expression over a dataset to bitset words: each condition is one vectorised pass over its
/// column, and <c>and</c>/<c>or</c>/<c>not</c> combine whole words. Text values are looked up in the dataset being
/// evaluated, so one expression works on any dataset with the same columns (a value it lacks matches no row).
/// </summary>
internal static class MaskEvaluator
{
    public static ulong[] Evaluate(ExpressionNode node, Dataset data, KernelMode mode)
    {
        switch (node)
        {
            case AndNode and:
            {
                var left = Evaluate(and.Left, data, mode);
                var right = Evaluate(and.Right, data, mode);
                for (var i = 0; i < left.Length; i++) left[i] &= right[i];
                return left;
            }
            case OrNode or:
            {
                var left = Evaluate(or.Left, data, mode);
                var right = Evaluate(or.Right, data, mode);
                for (var i = 0; i < left.Length; i++) left[i] |= right[i];
                return left;
            }
            case NotNode not:
            {
                var words = Evaluate(not.Operand, data, mode);
                for (var i = 0; i < words.Length; i++) words[i] = ~words[i];
                MaskKernels.ClearTail(words, data.RowCount);
                return words;
            }
            case ConditionNode condition:
                return Condition(condition, ColumnOf(condition.Column, data), mode);
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node, null);
        }
    }

    private static Column ColumnOf(ColumnReference reference, Dataset data) =>
        data.TryGetColumn(reference.Name, out var column)
            ? column
            : throw new ExpressionException($"the data has no column '{reference.Name}'", reference.Position);

    private static ulong[] Condition(ConditionNode condition, Column column, KernelMode mode)
    {
        switch (condition, column)
        {
            case (MissingNode missing, _):
            {
                var words = column.Missing.Words.ToArray();
                if (missing.Negated)
                {
                    for (var i = 0; i < words.Length; i++) words[i] = ~words[i];
                    MaskKernels.ClearTail(words, column.Length);
                }
                return words;
            }
            case (ComparisonNode { Value: NumberLiteral number } comparison, NumericColumn numeric):
                return Compare(numeric.Values, comparison.Operator, number.Value, mode);
            case (InNode { Values: var values } @in, NumericColumn numeric) when values.All(v => v is NumberLiteral):
            {
                var sorted = values.Cast<NumberLiteral>().Select(n => n.Value).Distinct().Order().ToArray();
                return (sorted.Length <= FloatAnyOf.MaxLength, @in.Negated) switch
                {
                    (true, false) => MaskKernels.Fill<float, FloatAnyOf>(numeric.Values, new(sorted), mode),
                    (true, true) => MaskKernels.Fill<float, FloatPresentAndNot<FloatAnyOf>>(numeric.Values, new(new(sorted)), mode),
                    (false, false) => MaskKernels.Fill<float, FloatInSorted>(numeric.Values, new(sorted), mode),
                    (false, true) => MaskKernels.Fill<float, FloatPresentAndNot<FloatInSorted>>(numeric.Values, new(new(sorted)), mode),
                };
            }
            case (ComparisonNode { Value: StringLiteral text, Operator: var op }, CategoricalColumn categorical)
                when op is ComparisonOperator.Equal or ComparisonOperator.NotEqual:
            {
                var test = new CodeEqual(CodeOf(categorical, text.Value));
                return op == ComparisonOperator.Equal
                    ? MaskKernels.Fill<int, CodeEqual>(categorical.Codes, test, mode)
                    : MaskKernels.Fill<int, CodePresentAndNot<CodeEqual>>(categorical.Codes, new(test), mode);
            }
            case (InNode { Values: var values } @in, CategoricalColumn categorical) when values.All(v => v is StringLiteral):
            {
                var codes = values.Cast<StringLiteral>().Select(s => CodeOf(categorical, s.Value)).Where(c => c >= 0).Distinct().ToArray();
                if (codes.Length <= CodeAnyOf.MaxLength)
                    return @in.Negated
                        ? MaskKernels.Fill<int, CodePresentAndNot<CodeAnyOf>>(categorical.Codes, new(new(codes)), mode)
                        : MaskKernels.Fill<int, CodeAnyOf>(categorical.Codes, new(codes), mode);
                var table = new bool[categorical.Categories.Count + 1];
                foreach (var code in codes) table[code + 1] = true;
                return @in.Negated
                    ? MaskKernels.Fill<int, CodePresentAndNot<CodeTable>>(categorical.Codes, new(new(table)), mode)
                    : MaskKernels.Fill<int, CodeTable>(categorical.Codes, new(table), mode);
            }
            default:
                // Only reached when the data's column kind differs from the schema the expression was checked against.
                throw new ExpressionException(
                    $"{column.Name} is a {(column.Kind == ColumnKind.Numeric ? "number" : "text")} column in this data, which does not fit this condition",
                    condition.Position);
        }
    }

    /// <summary>The value's code, or -2 (matches nothing, not even missing) when this dataset lacks the value.</summary>
    private static int CodeOf(CategoricalColumn column, string value) => column.CodeOf(value) is >= 0 and var code ? code : -2;

    private static ulong[] Compare(float[] values, ComparisonOperator op, float value, KernelMode mode) => op switch
    {
        ComparisonOperator.Equal => MaskKernels.Fill<float, FloatEqual>(values, new(value), mode),
        ComparisonOperator.NotEqual => MaskKernels.Fill<float, FloatNotEqual>(values, new(value), mode),
        ComparisonOperator.Less => MaskKernels.Fill<float, FloatLess>(values, new(value), mode),
        ComparisonOperator.LessOrEqual => MaskKernels.Fill<float, FloatLessOrEqual>(values, new(value), mode),
        ComparisonOperator.Greater => MaskKernels.Fill<float, FloatGreater>(values, new(value), mode),
        ComparisonOperator.GreaterOrEqual => MaskKernels.Fill<float, FloatGreaterOrEqual>(values, new(value), mode),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };
}
