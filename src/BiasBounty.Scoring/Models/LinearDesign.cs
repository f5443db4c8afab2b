using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Models;

/// <summary>How the ONNX export names and shapes a model's inputs (docs/scoring-rules.md).</summary>
public enum OnnxInputConvention
{
    /// <summary>One float input <c>X [N, F]</c>: the feature columns in schema order, encoded by a <see cref="FeatureCoding"/>.</summary>
    FloatTensor,

    /// <summary>One input per feature column, named as the column, <c>[N, 1]</c>: float for numeric, string for categorical (skl2onnx's convention).</summary>
    PerColumn,
}

/// <summary>What a classifier's <c>label</c> output holds.</summary>
public enum OnnxLabelOutput
{
    /// <summary>int64 class index: 1 = positive class, 0 = negative.</summary>
    ClassIndex,

    /// <summary>The class names of the label's domain as strings (e.g. <c>&gt;50K</c>).</summary>
    ClassName,
}

/// <summary>Options for writing a linear model as ONNX.</summary>
public sealed record OnnxExportOptions(
    OnnxInputConvention Inputs = OnnxInputConvention.FloatTensor,
    OnnxLabelOutput Labels = OnnxLabelOutput.ClassIndex);

/// <summary>Standardisation of one numeric feature: <c>z = (x − Mean) · Scale</c>; a missing x is imputed by Mean (z = 0).</summary>
public sealed record NumericScaling(string Column, float Mean, float Scale);

/// <summary>
/// The design matrix of a linear model: the numeric features standardised (in schema order), then every categorical
/// feature one-hot encoded over its categories in the <see cref="FeatureCoding"/> (in schema order). A missing or
/// unknown category encodes as all zeros.
/// </summary>
public sealed record LinearDesign(FeatureCoding Coding, IReadOnlyList<NumericScaling> Numeric)
{
    /// <summary>The categorical features, in schema order, that take part (those with at least one category).</summary>
    public IReadOnlyList<string> Categorical =>
        Coding.Features.Where(f => f.Kind == ColumnKind.Categorical && Coding.Categories[f.Name].Count > 0).Select(f => f.Name).ToArray();

    /// <summary>Number of design columns (coefficients), without the intercept.</summary>
    public int Width => Numeric.Count + Categorical.Sum(c => Coding.Categories[c].Count);

    /// <summary>Means and scales from <paramref name="rows"/> of <paramref name="data"/>; categories from the whole data's coding.</summary>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty.</exception>
    public static LinearDesign Fit(Dataset data, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows.IsEmpty) throw new ArgumentException("cannot fit a model on no rows", nameof(rows));
        var coding = FeatureCoding.Of(data);
        var numeric = new List<NumericScaling>();
        foreach (var column in data.FeatureColumns.OfType<NumericColumn>())
        {
            // Two-pass mean and variance in double: stable for values like incomes far from zero.
            double sum = 0;
            var count = 0;
            foreach (var r in rows)
                if (!float.IsNaN(column.Values[r])) { sum += column.Values[r]; count++; }
            var mean = count == 0 ? 0 : sum / count;
            double squares = 0;
            foreach (var r in rows)
                if (!float.IsNaN(column.Values[r])) squares += (column.Values[r] - mean) * (column.Values[r] - mean);
            var sd = count == 0 ? 0 : Math.Sqrt(squares / count);
            numeric.Add(new NumericScaling(column.Name, (float)mean, sd > 1e-12 ? (float)(1 / sd) : 1f));
        }
        return new LinearDesign(coding, numeric);
    }

    /// <summary>The design rows for <paramref name="rows"/>: standardised numerics and the active one-hot column of each categorical.</summary>
    internal DesignRows Encode(Dataset data, ReadOnlySpan<int> rows)
    {
        var n = rows.Length;
        var k = Numeric.Count;
        var numeric = new float[n * k];
        for (var j = 0; j < k; j++)
        {
            var (name, mean, scale) = Numeric[j];
            var values = BindNumeric(data, name).Values;
            for (var i = 0; i < n; i++)
            {
                var x = values[rows[i]];
                // Same float arithmetic as ai.onnx.ml Imputer + Scaler, so the ONNX graph sees identical inputs.
                numeric[i * k + j] = float.IsNaN(x) ? 0f : (x - mean) * scale;
            }
        }
        var categorical = Categorical;
        var c = categorical.Count;
        var active = new int[n * c];
        var offset = k;
        for (var j = 0; j < c; j++)
        {
            var column = BindCategorical(data, categorical[j]);
            var map = Coding.CodeMap(column);
            for (var i = 0; i < n; i++)
            {
                var code = column.Codes[rows[i]];
                var mapped = code < 0 ? float.NaN : map[code];
                active[i * c + j] = float.IsNaN(mapped) ? -1 : offset + (int)mapped;
            }
            offset += Coding.Categories[categorical[j]].Count;
        }
        return new DesignRows(n, k, c, numeric, active);
    }

    /// <summary>
    /// Declares the model's inputs in <paramref name="graph"/> and adds the nodes that compute the design matrix;
    /// returns the name of the <c>[N, Width]</c> float tensor.
    /// </summary>
    internal string AddToGraph(OnnxGraphBuilder graph, OnnxInputConvention convention)
    {
        var blocks = new List<string>();
        var means = Numeric.Select(s => s.Mean).ToArray();
        var scales = Numeric.Select(s => s.Scale).ToArray();
        string? numericBlock = null;
        if (convention == OnnxInputConvention.PerColumn)
        {
            foreach (var s in Numeric) graph.Input(s.Column, OnnxElementType.Float, -1, 1);
            if (Numeric.Count > 0)
                numericBlock = Numeric.Count == 1 ? Numeric[0].Column : graph.Apply("Concat", Numeric.Select(s => s.Column).ToArray(), "", OnnxAttribute.Int("axis", 1));
        }
        else
        {
            graph.Input("X", OnnxElementType.Float, -1, Coding.Width);
            var indices = Numeric.Select(s => (long)Coding.IndexOf(s.Column)).ToArray();
            if (indices.Length > 0)
                numericBlock = indices.Length == Coding.Width && indices.Select((v, i) => v == i).All(b => b)
                    ? "X"
                    : graph.Apply("Gather", ["X", graph.Constant(indices, indices.Length)], "", OnnxAttribute.Int("axis", 1));
        }
        if (numericBlock is not null)
        {
            var imputed = graph.Apply("Imputer", [numericBlock], OnnxGraphBuilder.MlDomain,
                OnnxAttribute.Floats("imputed_value_floats", means), OnnxAttribute.Float("replaced_value_float", float.NaN));
            blocks.Add(graph.Apply("Scaler", [imputed], OnnxGraphBuilder.MlDomain,
                OnnxAttribute.Floats("offset", means), OnnxAttribute.Floats("scale", scales)));
        }
        foreach (var name in Categorical)
        {
            var categories = Coding.Categories[name];
            string oneHot;
            if (convention == OnnxInputConvention.PerColumn)
            {
                graph.Input(name, OnnxElementType.String, -1, 1);
                oneHot = graph.Apply("OneHotEncoder", [name], OnnxGraphBuilder.MlDomain,
                    OnnxAttribute.Strings("cats_strings", categories), OnnxAttribute.Int("zeros", 1));
            }
            else
            {
                var column = graph.Apply("Gather", ["X", graph.Constant(new long[] { Coding.IndexOf(name) }, 1)], "", OnnxAttribute.Int("axis", 1));
                // A NaN code cast to int64 is undefined in C++; impute -1, which no category has, so it one-hot encodes as zeros.
                var code = graph.Apply("Imputer", [column], OnnxGraphBuilder.MlDomain,
                    OnnxAttribute.Floats("imputed_value_floats", [-1f]), OnnxAttribute.Float("replaced_value_float", float.NaN));
                oneHot = graph.Apply("OneHotEncoder", [code], OnnxGraphBuilder.MlDomain,
                    OnnxAttribute.Ints("cats_int64s", Enumerable.Range(0, categories.Count).Select(c => (long)c).ToArray()), OnnxAttribute.Int("zeros", 1));
            }
            // OneHotEncoder turns [N, 1] into [N, 1, K].
            blocks.Add(graph.Apply("Flatten", [oneHot], "", OnnxAttribute.Int("axis", 1)));
        }
        if (blocks.Count == 0) throw new InvalidOperationException("the design has no columns");
        return blocks.Count == 1 ? blocks[0] : graph.Apply("Concat", blocks, "", OnnxAttribute.Int("axis", 1));
    }

    private static NumericColumn BindNumeric(Dataset data, string name) =>
        data.TryGetColumn(name, out var column) && column is NumericColumn numeric
            ? numeric
            : throw new ScoringInputException($"the data has no numeric column '{name}', which the model takes as input");

    private static CategoricalColumn BindCategorical(Dataset data, string name) =>
        data.TryGetColumn(name, out var column) && column is CategoricalColumn categorical
            ? categorical
            : throw new ScoringInputException($"the data has no categorical column '{name}', which the model takes as input");
}

/// <summary>Sparse design rows: <c>K</c> dense standardised numerics, then one active one-hot column (or -1) per categorical.</summary>
internal sealed record DesignRows(int Count, int NumericCount, int CategoricalCount, float[] Numeric, int[] Active)
{
    /// <summary><c>b + Σ w_j x_j</c> for row <paramref name="i"/>, accumulated in double.</summary>
    public double Dot(int i, ReadOnlySpan<double> weights, double intercept)
    {
        var sum = intercept;
        var k = NumericCount;
        for (var j = 0; j < k; j++) sum += weights[j] * Numeric[i * k + j];
        var c = CategoricalCount;
        for (var j = 0; j < c; j++)
        {
            var a = Active[i * c + j];
            if (a >= 0) sum += weights[a];
        }
        return sum;
    }
}
