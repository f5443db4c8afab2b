using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Scoring.Tests.Expressions;

public class MaskKernelTests
{
    private static readonly string[] Expressions =
    [
        "x == 1", "x != 1", "x < 1", "x <= 1", "x > 1", "x >= 1", "x > -0.5",
        "x in (0, 2)", "x not in (0, 2)", "x in (-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8)", "x not in (-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8)",
        "x is missing", "x is not missing",
        "c == 'b'", "c != 'b'", "c in ('a', 'c')", "c not in ('a', 'c')",
        "c in ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j')", "c not in ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j')",
        "c is missing", "not (c is not missing or x < 0)", "x >= 0 and c == 'a' or not (x == 2)",
    ];

    // All twelve values are known even when a short random column does not contain them all.
    private static readonly ExpressionSchema Schema = new([
        new ExpressionColumn("x", ColumnKind.Numeric),
        new ExpressionColumn("c", ColumnKind.Categorical, Categories: Enumerable.Range(0, 12).Select(i => ((char)('a' + i)).ToString()).ToArray()),
    ]);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1_000)]
    [InlineData(100_003)]
    public void Evaluate_VectorAndScalarPathsAgree_WithRowByRow_OnOddLengthsWithMissingValues(int rows)
    {
        var data = RandomData(rows, seed: rows);

        foreach (var text in Expressions)
        {
            var group = SubgroupExpression.Parse(text).Bind(Schema);
            var expected = ExpressionTestData.BruteForce(text, data);
            foreach (var mode in Enum.GetValues<KernelMode>())
                Assert.True(expected.Equals(group.Evaluate(data, mode)), $"{text} with {mode} on {rows} rows");
        }
    }

    // Conditions on the right of and/or that are not single conditions go through the evaluator's scratch buffers.
    private static readonly string[] ChunkExpressions =
    [
        "x >= 1", "c == 'b'", "c != 'b'", "c in ('a', 'c')", "c not in ('a', 'c')", "x is not missing",
        "c == 'a' and x >= 0 and x < 3", "c == 'm' or x > 4", "c != 'm'", "not (c == 'a' and x >= 0)",
        "x >= 0 and (c == 'a' or x is missing)", "c is missing or not (x < 1 or c == 'b')",
        "x > 100 and (c == 'a' or x < 1)", "x > -100 or (c == 'a' and x < 1)",
    ];

    // 'm' is a known value that the data never holds (its code is looked up as absent).
    private static readonly ExpressionSchema ChunkSchema = new([
        new ExpressionColumn("x", ColumnKind.Numeric),
        new ExpressionColumn("c", ColumnKind.Categorical, Categories: Enumerable.Range(0, 13).Select(i => ((char)('a' + i)).ToString()).ToArray()),
    ]);

    /// <summary>
    /// Lengths around the chunk size (65,536 rows) and the parallel threshold (262,144 rows), evaluated on one
    /// thread and on several, with every kernel mode: all must equal the row-by-row meaning.
    /// </summary>
    [Theory]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(262_143)]
    [InlineData(262_144)]
    [InlineData(262_145)]
    [InlineData(327_745)]
    public void Evaluate_ChunkedAndParallel_AgreeWithRowByRow_AtChunkEdges(int rows)
    {
        var data = RandomData(rows, seed: rows);

        foreach (var text in ChunkExpressions)
        {
            var group = SubgroupExpression.Parse(text).Bind(ChunkSchema);
            var expected = ExpressionTestData.BruteForce(text, data);
            foreach (var mode in Enum.GetValues<KernelMode>())
                foreach (var threads in new[] { 1, 2, 3, -1 })
                    Assert.True(expected.Equals(group.Evaluate(data, mode, threads)), $"{text} with {mode} on {threads} threads on {rows} rows");
        }
    }

    [Fact]
    public void Evaluate_PublicOverloads_HonourAndValidateTheThreadLimit()
    {
        var data = RandomData(262_145, seed: 5);
        var group = SubgroupExpression.Parse("c == 'a' and x >= 0").Bind(Schema);
        var expected = group.Evaluate(data, KernelMode.Scalar, 1);

        Assert.Equal(expected, group.Evaluate(data));
        Assert.Equal(expected, group.Evaluate(data, 1));
        Assert.Equal(expected, group.Evaluate(data, 2));
        Assert.Throws<ArgumentOutOfRangeException>("maxDegreeOfParallelism", () => group.Evaluate(data, 0));
        Assert.Throws<ArgumentOutOfRangeException>("value", () => EvaluationOptions.MaxDegreeOfParallelism = -2);
        Assert.Equal(-1, EvaluationOptions.MaxDegreeOfParallelism);
    }

    /// <summary>More than 255 text values: no byte view of the codes, so the 32-bit code kernels run.</summary>
    [Theory]
    [InlineData(1_000)]
    [InlineData(262_145)]
    public void Evaluate_ManyCategories_UsesCodeKernels_AndAgreesWithRowByRow(int rows)
    {
        var random = new Random(rows);
        var values = Enumerable.Range(0, rows).Select(_ => random.Next(6) == 0 ? null : $"v{random.Next(300):D3}").ToArray();
        var data = new Dataset(new DatasetSchema([new ColumnSpec("c", ColumnKind.Categorical)]), [CategoricalColumn.FromValues("c", values)]);
        Assert.Null(((CategoricalColumn)data["c"]).CodesPlusOneAsBytes());

        foreach (var text in new[] { "c == 'v007'", "c != 'v007'", "c in ('v001', 'v299')", "c not in ('v001', 'v299')", "c == 'none'", "c != 'none'" })
        {
            var schema = new ExpressionSchema([new ExpressionColumn("c", ColumnKind.Categorical, Categories: [.. Enumerable.Range(0, 300).Select(i => $"v{i:D3}"), "none"])]);
            var group = SubgroupExpression.Parse(text).Bind(schema);
            var expected = ExpressionTestData.BruteForce(text, data);
            foreach (var mode in Enum.GetValues<KernelMode>())
                Assert.True(expected.Equals(group.Evaluate(data, mode, -1)), $"{text} with {mode} on {rows} rows");
        }
    }

    [Fact]
    public void CodesPlusOneAsBytes_ShiftsCodesByOne_AndMapsMissingToZero()
    {
        var column = CategoricalColumn.FromValues("c", ["b", null, "a", "b"]);

        Assert.Equal(new byte[] { 2, 0, 1, 2 }, column.CodesPlusOneAsBytes());
        Assert.Same(column.CodesPlusOneAsBytes(), column.CodesPlusOneAsBytes());
        Assert.Null(new CategoricalColumn("c", [0, 5], ["a", "b"], new RowSet(2)).CodesPlusOneAsBytes()); // code past the categories
    }

    /// <summary>x: small integers and halves, a quarter missing; c: codes of 'a'..'l', a fifth missing.</summary>
    private static Dataset RandomData(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows];
        var c = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            x[i] = random.Next(4) == 0 ? float.NaN : random.Next(-4, 10) / 2f;
            c[i] = random.Next(5) == 0 ? null : ((char)('a' + random.Next(12))).ToString();
        }
        return new Dataset(
            new DatasetSchema([new ColumnSpec("x", ColumnKind.Numeric), new ColumnSpec("c", ColumnKind.Categorical)]),
            [NumericColumn.FromValues("x", x), CategoricalColumn.FromValues("c", c)]);
    }
}
