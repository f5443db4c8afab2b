using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// Evaluates a checked expression over a dataset to bitset words. The tree is first bound to the dataset's columns
/// (a plan of leaf kernels); the plan then runs over chunks of <see cref="ChunkWords"/> words, each chunk written
/// straight into the result: the left operand of <c>and</c>/<c>or</c> fills the chunk and a condition on the right
/// combines into it word by word (skipping words it cannot change), so a chain such as <c>a and b and c</c> needs no
/// bitset per condition. Chunks are independent, so large datasets run them in parallel with identical results.
/// Text values are looked up in the dataset being evaluated, so one expression works on any dataset with the same
/// columns (a value it lacks matches no row).
/// </summary>
internal static class MaskEvaluator
{
    /// <summary>Words per chunk: 65,536 rows, a multiple of every vector width.</summary>
    public const int ChunkWords = 1_024;

    public static ulong[] Evaluate(ExpressionNode node, Dataset data, KernelMode mode, int maxDegreeOfParallelism)
    {
        var plan = Bind(node, data, mode);
        var words = new ulong[RowSet.WordCount(data.RowCount)];
        var chunks = (words.Length + ChunkWords - 1) / ChunkWords;
        var threads = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        if (data.RowCount < EvaluationOptions.ParallelThresholdRows || threads <= 1 || chunks <= 1)
        {
            var scratch = new Scratch();
            for (var c = 0; c < chunks; c++) RunChunk(plan, words, c, scratch);
        }
        else
        {
            // Each chunk writes only its own words, so the result does not depend on scheduling.
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                () => new Scratch(), (c, _, scratch) => { RunChunk(plan, words, c, scratch); return scratch; }, _ => { });
        }
        MaskKernels.ClearTail(words, data.RowCount);
        return words;
    }

    private static void RunChunk(Plan plan, ulong[] words, int chunk, Scratch scratch)
    {
        var first = chunk * ChunkWords;
        Run(plan, words.AsSpan(first, Math.Min(ChunkWords, words.Length - first)), first, scratch, 0);
    }

    /// <summary>Writes the plan's words from <paramref name="firstWord"/> on into <paramref name="words"/>; bits past the data may be set.</summary>
    private static void Run(Plan plan, Span<ulong> words, int firstWord, Scratch scratch, int depth)
    {
        switch (plan)
        {
            case LeafPlan leaf:
                leaf.Kernel.Assign(words, firstWord);
                break;
            case AndPlan and:
                Run(and.Left, words, firstWord, scratch, depth);
                if (and.Right is LeafPlan andLeaf) andLeaf.Kernel.And(words, firstWord);
                else if (words.ContainsAnyExcept(0UL))
                {
                    var right = scratch.Words(depth, words.Length);
                    Run(and.Right, right, firstWord, scratch, depth + 1);
                    for (var i = 0; i < words.Length; i++) words[i] &= right[i];
                }
                break;
            case OrPlan or:
                Run(or.Left, words, firstWord, scratch, depth);
                if (or.Right is LeafPlan orLeaf) orLeaf.Kernel.Or(words, firstWord);
                else if (words.ContainsAnyExcept(ulong.MaxValue))
                {
                    var right = scratch.Words(depth, words.Length);
                    Run(or.Right, right, firstWord, scratch, depth + 1);
                    for (var i = 0; i < words.Length; i++) words[i] |= right[i];
                }
                break;
            case NotPlan not:
                Run(not.Operand, words, firstWord, scratch, depth);
                for (var i = 0; i < words.Length; i++) words[i] = ~words[i];
                break;
        }
    }

    // Binding: resolve columns and choose each condition's kernel once, before any row is read (so errors come
    // first, in left-to-right order, exactly as a row-by-row evaluation would raise them).

    private static Plan Bind(ExpressionNode node, Dataset data, KernelMode mode) => node switch
    {
        AndNode and => new AndPlan(Bind(and.Left, data, mode), Bind(and.Right, data, mode)),
        OrNode or => new OrPlan(Bind(or.Left, data, mode), Bind(or.Right, data, mode)),
        NotNode not => new NotPlan(Bind(not.Operand, data, mode)),
        ConditionNode condition => new LeafPlan(Condition(condition, ColumnOf(condition.Column, data), mode)),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node, null),
    };

    private static Column ColumnOf(ColumnReference reference, Dataset data) =>
        data.TryGetColumn(reference.Name, out var column)
            ? column
            : throw new ExpressionException($"the data has no column '{reference.Name}'", reference.Position);

    private static LeafKernel Condition(ConditionNode condition, Column column, KernelMode mode)
    {
        switch (condition, column)
        {
            case (MissingNode missing, _):
                return new MissingKernel(column.Missing, missing.Negated);
            case (ComparisonNode { Value: NumberLiteral number } comparison, NumericColumn numeric):
                return Compare(numeric.Values, comparison.Operator, number.Value, mode);
            case (InNode { Values: var values } @in, NumericColumn numeric) when values.All(v => v is NumberLiteral):
            {
                var sorted = values.Cast<NumberLiteral>().Select(n => n.Value).Distinct().Order().ToArray();
                return (sorted.Length <= FloatAnyOf.MaxLength, @in.Negated) switch
                {
                    (true, false) => Kernel(numeric.Values, new FloatAnyOf(sorted), mode),
                    (true, true) => Kernel(numeric.Values, new FloatPresentAndNot<FloatAnyOf>(new(sorted)), mode),
                    (false, false) => Kernel(numeric.Values, new FloatInSorted(sorted), mode),
                    (false, true) => Kernel(numeric.Values, new FloatPresentAndNot<FloatInSorted>(new(sorted)), mode),
                };
            }
            case (ComparisonNode { Value: StringLiteral text, Operator: var op }, CategoricalColumn categorical)
                when op is ComparisonOperator.Equal or ComparisonOperator.NotEqual:
            {
                var code = CodeOf(categorical, text.Value);
                if (code >= 0 && categorical.CodesPlusOneAsBytes() is { } bytes)
                {
                    var byteTest = new ByteEqual((byte)(code + 1));
                    return op == ComparisonOperator.Equal
                        ? Kernel(bytes, byteTest, mode)
                        : Kernel(bytes, new BytePresentAndNot<ByteEqual>(byteTest), mode);
                }
                var test = new CodeEqual(code);
                return op == ComparisonOperator.Equal
                    ? Kernel(categorical.Codes, test, mode)
                    : Kernel(categorical.Codes, new CodePresentAndNot<CodeEqual>(test), mode);
            }
            case (InNode { Values: var values } @in, CategoricalColumn categorical) when values.All(v => v is StringLiteral):
            {
                var codes = values.Cast<StringLiteral>().Select(s => CodeOf(categorical, s.Value)).Where(c => c >= 0).Distinct().ToArray();
                if (codes.Length <= CodeAnyOf.MaxLength)
                {
                    if (categorical.CodesPlusOneAsBytes() is { } bytes)
                    {
                        var plusOne = codes.Select(c => (byte)(c + 1)).ToArray();
                        return @in.Negated
                            ? Kernel(bytes, new BytePresentAndNot<ByteAnyOf>(new(plusOne)), mode)
                            : Kernel(bytes, new ByteAnyOf(plusOne), mode);
                    }
                    return @in.Negated
                        ? Kernel(categorical.Codes, new CodePresentAndNot<CodeAnyOf>(new(codes)), mode)
                        : Kernel(categorical.Codes, new CodeAnyOf(codes), mode);
                }
                var table = new bool[categorical.Categories.Count + 1];
                foreach (var code in codes) table[code + 1] = true;
                return @in.Negated
                    ? Kernel(categorical.Codes, new CodePresentAndNot<CodeTable>(new(table)), mode)
                    : Kernel(categorical.Codes, new CodeTable(table), mode);
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

    private static LeafKernel Compare(float[] values, ComparisonOperator op, float value, KernelMode mode) => op switch
    {
        ComparisonOperator.Equal => Kernel(values, new FloatEqual(value), mode),
        ComparisonOperator.NotEqual => Kernel(values, new FloatNotEqual(value), mode),
        ComparisonOperator.Less => Kernel(values, new FloatLess(value), mode),
        ComparisonOperator.LessOrEqual => Kernel(values, new FloatLessOrEqual(value), mode),
        ComparisonOperator.Greater => Kernel(values, new FloatGreater(value), mode),
        ComparisonOperator.GreaterOrEqual => Kernel(values, new FloatGreaterOrEqual(value), mode),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static LeafKernel Kernel<T, TTest>(T[] values, TTest test, KernelMode mode)
        where T : unmanaged
        where TTest : struct, IRowTest<T> => new TestKernel<T, TTest>(values, test, mode);

    private abstract record Plan;

    private sealed record LeafPlan(LeafKernel Kernel) : Plan;

    private sealed record AndPlan(Plan Left, Plan Right) : Plan;

    private sealed record OrPlan(Plan Left, Plan Right) : Plan;

    private sealed record NotPlan(Plan Operand) : Plan;

    /// <summary>One condition bound to its column: sets, ANDs or ORs its bits into a range of words.</summary>
    private abstract class LeafKernel
    {
        public abstract void Assign(Span<ulong> words, int firstWord);

        public abstract void And(Span<ulong> words, int firstWord);

        public abstract void Or(Span<ulong> words, int firstWord);
    }

    private sealed class TestKernel<T, TTest>(T[] values, TTest test, KernelMode mode) : LeafKernel
        where T : unmanaged
        where TTest : struct, IRowTest<T>
    {
        public override void Assign(Span<ulong> words, int firstWord) => MaskKernels.Fill<T, TTest, AssignWords>(values, test, mode, words, firstWord);

        public override void And(Span<ulong> words, int firstWord) => MaskKernels.Fill<T, TTest, AndWords>(values, test, mode, words, firstWord);

        public override void Or(Span<ulong> words, int firstWord) => MaskKernels.Fill<T, TTest, OrWords>(values, test, mode, words, firstWord);
    }

    /// <summary><c>is missing</c> (or <c>is not missing</c>): the column's missing map, complemented when negated.</summary>
    private sealed class MissingKernel(RowSet missing, bool negated) : LeafKernel
    {
        public override void Assign(Span<ulong> words, int firstWord)
        {
            var source = Source(words, firstWord);
            for (var i = 0; i < words.Length; i++) words[i] = negated ? ~source[i] : source[i];
        }

        public override void And(Span<ulong> words, int firstWord)
        {
            var source = Source(words, firstWord);
            for (var i = 0; i < words.Length; i++) words[i] &= negated ? ~source[i] : source[i];
        }

        public override void Or(Span<ulong> words, int firstWord)
        {
            var source = Source(words, firstWord);
            for (var i = 0; i < words.Length; i++) words[i] |= negated ? ~source[i] : source[i];
        }

        private ReadOnlySpan<ulong> Source(Span<ulong> words, int firstWord) => missing.Words.Slice(firstWord, words.Length);
    }

    /// <summary>Per-thread buffers for right operands that are not single conditions, one per nesting depth.</summary>
    private sealed class Scratch
    {
        private readonly List<ulong[]> _byDepth = [];

        public Span<ulong> Words(int depth, int length)
        {
            while (_byDepth.Count <= depth) _byDepth.Add(new ulong[ChunkWords]);
            return _byDepth[depth].AsSpan(0, length);
        }
    }
}
