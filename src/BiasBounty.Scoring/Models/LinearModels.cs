using BiasBounty.Scoring.Data;
using MathNet.Numerics.LinearAlgebra;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// A binary logistic regression over a <see cref="LinearDesign"/>: <c>P(positive) = σ(b + w·z)</c>; the predicted
/// class is positive when the margin is above 0 (as ai.onnx.ml LinearClassifier decides).
/// </summary>
public sealed record LogisticRegressionModel(LinearDesign Design, IReadOnlyList<float> Coefficients, float Intercept, LabelDomain Label) : ITrainedModel
{
    /// <inheritdoc />
    public FeatureCoding Coding => Design.Coding;

    /// <summary>1 for the positive class, 0 for the negative, per row in the order given.</summary>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var margins = Margins(data, rows);
        var result = new float[margins.Length];
        for (var i = 0; i < result.Length; i++) result[i] = margins[i] > 0 ? 1f : 0f;
        return result;
    }

    /// <summary>Probability of the positive class per row.</summary>
    public float[] PredictProbability(Dataset data, ReadOnlySpan<int> rows)
    {
        var margins = Margins(data, rows);
        var result = new float[margins.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)LinearTraining.Sigmoid(margins[i]);
        return result;
    }

    /// <inheritdoc />
    public byte[] ToOnnx() => ToOnnx(new OnnxExportOptions());

    /// <summary>
    /// The model as ONNX: the design (ai.onnx.ml Imputer, Scaler, OneHotEncoder; Gather/Flatten/Concat) feeding an
    /// ai.onnx.ml LinearClassifier. Outputs <c>label</c> [N] (int64 1/0 or the class names) and <c>probabilities</c> [N, 2].
    /// </summary>
    public byte[] ToOnnx(OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var graph = new OnnxGraphBuilder("logistic_regression");
        var design = Design.AddToGraph(graph, options.Inputs);
        var names = options.Labels == OnnxLabelOutput.ClassName;
        graph.Node("LinearClassifier", [design], ["label", "probabilities"], OnnxGraphBuilder.MlDomain,
            OnnxAttribute.Floats("coefficients", Coefficients),
            OnnxAttribute.Floats("intercepts", [Intercept]),
            names
                ? OnnxAttribute.Strings("classlabels_strings", [Label.NegativeClass!, Label.PositiveClass!])
                : OnnxAttribute.Ints("classlabels_ints", [0, 1]),
            OnnxAttribute.String("post_transform", "LOGISTIC"),
            OnnxAttribute.Int("multi_class", 0));
        graph.Output("label", names ? OnnxElementType.String : OnnxElementType.Int64, -1);
        graph.Output("probabilities", OnnxElementType.Float, -1, 2);
        return graph.Metadata(FeatureCoding.MetadataKey, Coding.ToJson()).ToModelBytes();
    }

    private double[] Margins(Dataset data, ReadOnlySpan<int> rows)
    {
        var design = Design.Encode(data, rows);
        var weights = Coefficients.Select(c => (double)c).ToArray();
        var margins = new double[rows.Length];
        for (var i = 0; i < margins.Length; i++) margins[i] = design.Dot(i, weights, Intercept);
        return margins;
    }
}

/// <summary>A linear regression (ridge) over a <see cref="LinearDesign"/>: <c>ŷ = b + w·z</c>.</summary>
public sealed record LinearRegressionModel(LinearDesign Design, IReadOnlyList<float> Coefficients, float Intercept) : ITrainedModel
{
    /// <inheritdoc />
    public FeatureCoding Coding => Design.Coding;

    /// <summary>The predicted value per row.</summary>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var design = Design.Encode(data, rows);
        var weights = Coefficients.Select(c => (double)c).ToArray();
        var result = new float[rows.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)design.Dot(i, weights, Intercept);
        return result;
    }

    /// <inheritdoc />
    public byte[] ToOnnx() => ToOnnx(OnnxInputConvention.FloatTensor);

    /// <summary>The model as ONNX: the design feeding an ai.onnx.ml LinearRegressor; output <c>prediction</c> float [N, 1].</summary>
    public byte[] ToOnnx(OnnxInputConvention inputs)
    {
        var graph = new OnnxGraphBuilder("linear_regression");
        var design = Design.AddToGraph(graph, inputs);
        graph.Node("LinearRegressor", [design], ["prediction"], OnnxGraphBuilder.MlDomain,
            OnnxAttribute.Floats("coefficients", Coefficients),
            OnnxAttribute.Floats("intercepts", [Intercept]),
            OnnxAttribute.Int("targets", 1));
        graph.Output("prediction", OnnxElementType.Float, -1, 1);
        return graph.Metadata(FeatureCoding.MetadataKey, Coding.ToJson()).ToModelBytes();
    }
}

/// <summary>Settings of <see cref="LogisticRegressionTrainer"/>.</summary>
/// <param name="L2">Ridge penalty on the coefficients (not the intercept), on the scale of the summed log-loss.</param>
/// <param name="MaxIterations">Newton iterations at most.</param>
/// <param name="Tolerance">Stop when no parameter moves by more than this (relative to the largest parameter).</param>
public sealed record LogisticRegressionOptions(double L2 = 1.0, int MaxIterations = 50, double Tolerance = 1e-7);

/// <summary>
/// Trains an L2-regularised binary logistic regression by Newton's method (IRLS) with step halving. Numeric features
/// are standardised and categorical ones one-hot encoded (<see cref="LinearDesign"/>). Deterministic: the same data
/// and rows give the same model.
/// </summary>
public static class LogisticRegressionTrainer
{
    /// <summary>Trains on every row of <paramref name="data"/>.</summary>
    public static LogisticRegressionModel Train(Dataset data, LabelDomain label, LogisticRegressionOptions? options = null) =>
        Train(data, label, Enumerable.Range(0, data.RowCount).ToArray(), options);

    /// <summary>Trains on <paramref name="rows"/> of <paramref name="data"/> only (e.g. a fix trained on a group's rows).</summary>
    /// <exception cref="ArgumentException">The label is not a classification label, or <paramref name="rows"/> is empty.</exception>
    public static LogisticRegressionModel Train(Dataset data, LabelDomain label, ReadOnlySpan<int> rows, LogisticRegressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(label);
        if (label.Task != TaskKind.Classification) throw new ArgumentException("logistic regression needs a classification label", nameof(label));
        options ??= new LogisticRegressionOptions();
        var design = LinearDesign.Fit(data, rows);
        var x = design.Encode(data, rows);
        var y = Gather(label.Encode(data), rows);
        var theta = LinearTraining.FitLogistic(x, y, design.Width, options);
        return new LogisticRegressionModel(design, theta[..^1].Select(v => (float)v).ToArray(), (float)theta[^1], label);
    }

    internal static double[] Gather(float[] values, ReadOnlySpan<int> rows)
    {
        var result = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++) result[i] = values[rows[i]];
        return result;
    }
}

/// <summary>Trains a ridge linear regression (closed form) for regression competitions.</summary>
public static class LinearRegressionTrainer
{
    /// <summary>Trains on every row of <paramref name="data"/> with ridge penalty <paramref name="l2"/> on the coefficients.</summary>
    public static LinearRegressionModel Train(Dataset data, LabelDomain label, double l2 = 1e-3) =>
        Train(data, label, Enumerable.Range(0, data.RowCount).ToArray(), l2);

    /// <summary>Trains on <paramref name="rows"/> of <paramref name="data"/> only, with ridge penalty <paramref name="l2"/>.</summary>
    /// <exception cref="ArgumentException">The label is not a regression label, or <paramref name="rows"/> is empty.</exception>
    public static LinearRegressionModel Train(Dataset data, LabelDomain label, ReadOnlySpan<int> rows, double l2 = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(label);
        if (label.Task != TaskKind.Regression) throw new ArgumentException("linear regression needs a regression label", nameof(label));
        var design = LinearDesign.Fit(data, rows);
        var x = design.Encode(data, rows);
        var y = LogisticRegressionTrainer.Gather(label.Encode(data), rows);
        var d = design.Width;
        var weights = new double[x.Count];
        Array.Fill(weights, 1.0);
        // Ridge in closed form: (XᵀX + λI) θ = Xᵀy, with the intercept unpenalised.
        var (gram, moment) = LinearTraining.Accumulate(x, d, weights, y);
        for (var j = 0; j < d; j++) gram[j, j] += l2;
        var theta = LinearTraining.Solve(gram, moment);
        return new LinearRegressionModel(design, theta[..^1].Select(v => (float)v).ToArray(), (float)theta[^1]);
    }
}

/// <summary>Shared numerics of the linear trainers. Parameters are the design coefficients followed by the intercept.</summary>
internal static class LinearTraining
{
    // A tiny penalty on the intercept keeps Newton finite when a subset has only one class.
    private const double InterceptL2 = 1e-6;

    public static double Sigmoid(double m) => m >= 0 ? 1 / (1 + Math.Exp(-m)) : Math.Exp(m) / (1 + Math.Exp(m));

    // log(1 + e^m) without overflow.
    private static double Softplus(double m) => m > 0 ? m + Math.Log(1 + Math.Exp(-m)) : Math.Log(1 + Math.Exp(m));

    public static double[] FitLogistic(DesignRows x, double[] y, int d, LogisticRegressionOptions options)
    {
        var theta = new double[d + 1];
        var mean = Math.Clamp(y.Average(), 1e-6, 1 - 1e-6);
        theta[d] = Math.Log(mean / (1 - mean));
        var loss = Loss(x, y, theta, options.L2);
        var weights = new double[x.Count];
        var residual = new double[x.Count];
        for (var iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            for (var i = 0; i < x.Count; i++)
            {
                var p = Sigmoid(x.Dot(i, theta, theta[d]));
                weights[i] = Math.Max(p * (1 - p), 1e-12);
                residual[i] = y[i] - p;
            }
            var (hessian, gradient) = Accumulate(x, d, weights, residual);
            // gradient now holds Xᵀ(y − p); the penalised Newton system is (XᵀWX + Λ) δ = Xᵀ(y − p) − Λθ.
            for (var j = 0; j < d; j++)
            {
                hessian[j, j] += options.L2;
                gradient[j] -= options.L2 * theta[j];
            }
            hessian[d, d] += InterceptL2;
            gradient[d] -= InterceptL2 * theta[d];
            var step = Solve(hessian, gradient);
            var scale = 1.0;
            double[] candidate;
            double candidateLoss;
            while (true)
            {
                candidate = theta.Select((t, j) => t + scale * step[j]).ToArray();
                candidateLoss = Loss(x, y, candidate, options.L2);
                if (candidateLoss <= loss + 1e-12 * Math.Abs(loss) || scale < 1e-8) break;
                scale /= 2;
            }
            var largestMove = step.Max(Math.Abs) * scale;
            theta = candidate;
            loss = candidateLoss;
            if (largestMove <= options.Tolerance * (1 + theta.Max(Math.Abs))) break;
        }
        return theta;
    }

    /// <summary>Penalised negative log-likelihood.</summary>
    private static double Loss(DesignRows x, double[] y, double[] theta, double l2)
    {
        var d = theta.Length - 1;
        double sum = 0;
        for (var i = 0; i < x.Count; i++)
        {
            var m = x.Dot(i, theta, theta[d]);
            sum += Softplus(m) - y[i] * m;
        }
        double penalty = 0;
        for (var j = 0; j < d; j++) penalty += theta[j] * theta[j];
        return sum + 0.5 * l2 * penalty + 0.5 * InterceptL2 * theta[d] * theta[d];
    }

    /// <summary>
    /// <c>Σ w_i x_i x_iᵀ</c> and <c>Σ r_i x_i</c> over design rows with the intercept as the last column. Rows are
    /// sparse (a few numerics and one active column per categorical), so this costs O(n · active²), not O(n · d²).
    /// </summary>
    public static (Matrix<double> Gram, Vector<double> Moment) Accumulate(DesignRows x, int d, double[] weights, double[] r)
    {
        var size = d + 1;
        var gram = new double[size * size];
        var moment = new double[size];
        var k = x.NumericCount;
        var c = x.CategoricalCount;
        var index = new int[k + c + 1];
        var value = new double[k + c + 1];
        for (var i = 0; i < x.Count; i++)
        {
            var m = 0;
            for (var j = 0; j < k; j++) { index[m] = j; value[m++] = x.Numeric[i * k + j]; }
            for (var j = 0; j < c; j++)
            {
                var a = x.Active[i * c + j];
                if (a >= 0) { index[m] = a; value[m++] = 1; }
            }
            index[m] = d;
            value[m++] = 1;
            var w = weights[i];
            for (var p = 0; p < m; p++)
            {
                var wp = w * value[p];
                var row = index[p] * size;
                moment[index[p]] += r[i] * value[p];
                for (var q = 0; q < m; q++) gram[row + index[q]] += wp * value[q];
            }
        }
        return (Matrix<double>.Build.Dense(size, size, gram), Vector<double>.Build.Dense(moment));
    }

    public static double[] Solve(Matrix<double> matrix, Vector<double> rhs) => matrix.Cholesky().Solve(rhs).ToArray();
}
