using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

/// <summary>
/// Models built to exhaust memory or time (issue 10), on the <see cref="ModelTestData.Tiny"/> schema: a lone
/// feature-named input is the per-column convention, so AGEP [N, 1] binds to the AGEP column.
/// </summary>
internal static class OnnxBombs
{
    /// <summary>
    /// The 223-byte model: Unsqueeze the input to rank 3, Expand it to [1, 1, width] (broadcast against the
    /// input's rows and columns), take the minimum and compare it with 0. Valid ONNX; predicts 0 for every age.
    /// </summary>
    public static byte[] Expand(string input = "X", long columns = 3, long width = 2_000_000)
    {
        var g = new OnnxGraphBuilder();
        g.Input(input, OnnxElementType.Float, -1, columns);
        var cube = g.Apply("Unsqueeze", [input, g.Constant(new long[] { 2 }, 1)]);
        var wide = g.Apply("Expand", [cube, g.Constant(new long[] { 1, 1, width }, 3)]);
        var least = g.Apply("ReduceMin", [wide], "", OnnxAttribute.Ints("axes", [1, 2]), OnnxAttribute.Int("keepdims", 0));
        g.Node("Less", [least, g.Constant([0f])], ["label"]);
        g.Output("label", OnnxElementType.Bool, -1);
        return g.ToModelBytes();
    }

    /// <summary>ConstantOfShape of a constant shape: ONNX Runtime would fill it while folding constants at load.</summary>
    public static byte[] ConstantOfShape(long elements = 1_000_000_000, string feature = "AGEP") =>
        Reducing(g => g.Apply("ConstantOfShape", [g.Constant(new long[] { elements }, 1)]), feature);

    /// <summary>Tile of the input: [N, 1] repeated to [N, repeats].</summary>
    public static byte[] Tile(long repeats = 10_000_000, string feature = "AGEP") =>
        Reducing(g => g.Apply("Tile", [feature, g.Constant(new long[] { 1, repeats }, 2)]), feature);

    /// <summary>
    /// ConstantOfShape whose shape is read from the data (max age × <paramref name="perYear"/> floats): no static
    /// estimate can size it, only the arena's cap.
    /// </summary>
    public static byte[] DataDependent(float perYear = 1e7f) =>
        Reducing(g =>
        {
            var oldest = g.Apply("ReduceMax", ["AGEP"], "", OnnxAttribute.Int("keepdims", 0));
            var count = g.Apply("Cast", [g.Apply("Mul", [oldest, g.Constant([perYear])])], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
            return g.Apply("ConstantOfShape", [g.Apply("Reshape", [count, g.Constant(new long[] { 1 }, 1)])]);
        });

    /// <summary>
    /// One Expand of a constant to max age × <paramref name="perYear"/> floats: a single operator whose output is sized
    /// by the data, so neither the static estimate nor a check between operators can stop it before it is filled.
    /// </summary>
    public static byte[] SingleExpand(float perYear, string feature = "AGEP") =>
        Reducing(g =>
        {
            var oldest = g.Apply("ReduceMax", [feature], "", OnnxAttribute.Int("keepdims", 0));
            var count = g.Apply("Cast", [g.Apply("Mul", [oldest, g.Constant([perYear])])], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
            return g.Apply("Expand", [g.Constant([1f]), g.Apply("Reshape", [count, g.Constant(new long[] { 1 }, 1)])]);
        }, feature);

    /// <summary>A Loop of 10^12 iterations that adds 1 to the ages: small tensors, endless time (fewer iterations: a slow honest model).</summary>
    public static byte[] Loop(long iterations = 1_000_000_000_000)
    {
        var body = new OnnxGraphBuilder("body");
        body.Input("i", OnnxElementType.Int64);
        body.Input("cond_in", OnnxElementType.Bool);
        body.Input("age_in", OnnxElementType.Float, -1, 1);
        body.Node("Identity", ["cond_in"], ["cond_out"]);
        body.Node("Add", ["age_in", body.Constant([1f])], ["age_out"]);
        body.Output("cond_out", OnnxElementType.Bool);
        body.Output("age_out", OnnxElementType.Float, -1, 1);
        var g = new OnnxGraphBuilder();
        g.Input("AGEP", OnnxElementType.Float, -1, 1);
        var trueFlag = g.Apply("Cast", [g.Constant(new long[] { 1 })], "", OnnxAttribute.Int("to", (long)OnnxElementType.Bool));
        g.Node("Loop", [g.Constant(new long[] { iterations }), trueFlag, "AGEP"], ["aged"], "", OnnxAttribute.Graph("body", body));
        var label = g.Apply("Cast", [g.Apply("Less", ["aged", g.Constant([0f])])], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
        g.Node("Reshape", [label, g.Constant(new long[] { -1 }, 1)], ["label"]);
        g.Output("label", OnnxElementType.Int64, -1);
        return g.ToModelBytes();
    }

    /// <summary>A per-row tensor of [N, 1, width] floats: harmless for 16 rows, too large for a full batch.</summary>
    public static byte[] WidePerRow(long width) =>
        Reducing(g => g.Apply("Expand", [g.Apply("Unsqueeze", ["AGEP", g.Constant(new long[] { 2 }, 1)]), g.Constant(new long[] { 1, 1, width }, 3)]));

    /// <summary>
    /// <paramref name="feature"/> (AGEP unless told; the web tests' Adult data says age) [N, 1] in; <paramref name="big"/>
    /// builds a tensor; the label is (feature + min(big)) &lt; 0, so the tensor is needed.
    /// </summary>
    private static byte[] Reducing(Func<OnnxGraphBuilder, string> big, string feature = "AGEP")
    {
        var g = new OnnxGraphBuilder();
        g.Input(feature, OnnxElementType.Float, -1, 1);
        var least = g.Apply("ReduceMin", [big(g)], "", OnnxAttribute.Int("keepdims", 0));
        var sum = g.Apply("Add", [feature, least]);
        var label = g.Apply("Cast", [g.Apply("Less", [sum, g.Constant([0f])])], "", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
        g.Node("Reshape", [label, g.Constant(new long[] { -1 }, 1)], ["label"]);
        g.Output("label", OnnxElementType.Int64, -1);
        return g.ToModelBytes();
    }
}
