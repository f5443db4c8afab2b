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
