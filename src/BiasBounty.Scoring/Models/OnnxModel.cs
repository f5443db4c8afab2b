using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using BiasBounty.Scoring.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// An untrusted ONNX model bound to a competition's schema (docs/scoring-rules.md) and run in ONNX Runtime.
/// <see cref="Load"/> checks everything that can be checked without data; <see cref="Validate"/> is the 16-row smoke
/// run of gate 1; <see cref="Predict(Dataset, ReadOnlySpan{int})"/> runs on any rows in batches, under a time limit.
/// Predictions may be made from several threads at once. Error messages name rows and values only in the smoke run,
/// which must be given public rows; on other rows they never show a value, a row or a count.
/// </summary>
public sealed partial class OnnxModel : IOnnxModel
{
    /// <summary>
    /// What <see cref="Predict(Dataset, ReadOnlySpan{int})"/> returns for a row whose prediction is unusable (outside the
    /// label's domain, not finite, or in a batch ONNX Runtime failed on): NaN, which every metric counts as wrong and
    /// no group contains. Only the smoke run on public rows rejects a model; on hidden rows a refusal would reveal them.
    /// </summary>
    public const float InvalidPrediction = float.NaN;

    /// <summary>Rows in the smoke run of <see cref="Validate"/>.</summary>
    public const int SmokeRows = 16;

    private readonly InferenceSession _session;
    private readonly ModelLimits _limits;
    private readonly LabelDomain? _label;
    private readonly IReadOnlyList<ColumnSpec> _features;
    private readonly FeatureCoding? _coding;
    private readonly BoundInput[] _inputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly TensorElementType _outputType;
    private readonly int _batchRows;

    private OnnxModel(InferenceSession session, ModelRole role, LabelDomain? label, ModelLimits limits, int batchRows, IReadOnlyList<ColumnSpec> features,
        FeatureCoding? coding, OnnxInputConvention convention, BoundInput[] inputs, string output, TensorElementType outputType)
    {
        _session = session;
        _batchRows = batchRows;
        Role = role;
        _label = label;
        _limits = limits;
        _features = features;
        _coding = coding;
        Convention = convention;
        _inputs = inputs;
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _outputNames = [output];
        _outputType = outputType;
    }

    /// <summary>Which input convention the model's inputs follow.</summary>
    public OnnxInputConvention Convention { get; }

    /// <summary>What the model's first output means.</summary>
    public ModelRole Role { get; }

    /// <summary>The feature columns the model reads (all of them for the float-tensor convention).</summary>
    public IReadOnlyList<string> InputColumns =>
        Convention == OnnxInputConvention.FloatTensor ? _features.Select(f => f.Name).ToArray() : _inputNames;

    /// <summary>
    /// Rows per ONNX Runtime call for this model: <see cref="ModelLimits.BatchRows"/>, or fewer when its tensors grow with
    /// the rows so that the largest would pass <see cref="ModelLimits.MaxBatchBytes"/>.
    /// </summary>
    public int BatchRows => _batchRows;

    /// <summary>The coding a model was trained with, when it carries one (models exported by BiasBounty do).</summary>
    private static FeatureCoding? EmbeddedCoding(InferenceSession session, IReadOnlyList<ColumnSpec> features)
    {
        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(FeatureCoding.MetadataKey, out var json)) return null;
        var coding = FeatureCoding.FromJson(json);
        if (!coding.Features.Select(f => f.Name).SequenceEqual(features.Select(f => f.Name)))
            throw new ModelValidationException(
                $"the model was trained on the feature columns {string.Join(", ", coding.Features.Select(f => f.Name))}; this competition's are {string.Join(", ", features.Select(f => f.Name))}");
        return coding;
    }

    /// <summary>
    /// Checks an uploaded model and binds its inputs to the schema's feature columns. Checks, in order: size, ONNX
    /// structure, operator domains, opset and IR versions, the static memory estimate (all before ONNX Runtime parses
    /// the file, which folds constants as it loads), loading, input names, shapes and element types, and the type and
    /// shape of the first output.
    /// </summary>
    /// <param name="onnxBytes">The uploaded file.</param>
    /// <param name="schema">The competition's schema; only its feature columns may be inputs.</param>
    /// <param name="label">The label's domain; required for <see cref="ModelRole.Predictor"/>, ignored for groups.</param>
    /// <param name="role">Whether the model predicts the label or defines a group.</param>
    /// <param name="limits">Size, time, memory and batch limits; <see cref="ModelLimits.Default"/> when null.</param>
    /// <param name="coding">
    /// The published codes of categorical columns for the float-tensor convention; when null a categorical value is
    /// passed as its code in whatever dataset is being predicted.
    /// </param>
    /// <exception cref="ModelValidationException">The model cannot be used; the message says why.</exception>
    public static OnnxModel Load(ReadOnlyMemory<byte> onnxBytes, DatasetSchema schema, LabelDomain? label, ModelRole role,
        ModelLimits? limits = null, FeatureCoding? coding = null)
    {
        limits = CheckArguments(onnxBytes, schema, label, role, limits, coding);
        OnnxModelInspector.Check(onnxBytes);
        var batchRows = CheckMemory(onnxBytes, schema.Features.Count, limits);

        InferenceSession session;
        using (var options = OnnxRuntimeEnvironment.CreateSessionOptions(limits))
        {
            try
            {
                session = new InferenceSession(AsArray(onnxBytes), options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelValidationException($"ONNX Runtime could not load the model: {Describe(e)}", e);
            }
        }
        try
        {
            var features = schema.Features;
            coding = EmbeddedCoding(session, features) ?? coding;
            var (convention, inputs) = BindInputs(session, schema, features);
            var (output, outputType) = CheckOutput(session, role, label);
            return new OnnxModel(session, role, label, limits, batchRows, features, coding, convention, inputs, output, outputType);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>What <see cref="Load"/> checks before it reads the file (also checked by a host's parent before it sends it); the limits to use.</summary>
    internal static ModelLimits CheckArguments(ReadOnlyMemory<byte> onnxBytes, DatasetSchema schema, LabelDomain? label, ModelRole role,
        ModelLimits? limits, FeatureCoding? coding)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (role == ModelRole.Predictor && label is null)
            throw new ArgumentNullException(nameof(label), "a predictor needs the label's domain");
        limits ??= ModelLimits.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.BatchRows, 1, nameof(limits));
        if (coding is not null && !coding.Features.Select(f => f.Name).SequenceEqual(schema.Features.Select(f => f.Name)))
            throw new ArgumentException("the coding's features are not the schema's feature columns", nameof(coding));
        if (onnxBytes.Length > limits.MaxModelBytes)
            throw new ModelValidationException($"the model is {Megabytes(onnxBytes.Length)} MB; the limit is {Megabytes(limits.MaxModelBytes)} MB");
        if (onnxBytes.IsEmpty)
            throw new ModelValidationException("the model file is empty");
        return limits;
    }

    /// <summary>
    /// Refuses a model whose largest tensor, by the static estimate, passes the smoke run's budget for
    /// <see cref="SmokeRows"/> rows or the batch budget for one row, and returns the rows per batch that keep it within
    /// the batch budget. The estimate is a lower bound (see <see cref="OnnxMemoryEstimate"/>): it refuses only models
    /// that really need that much.
    /// </summary>
    private static int CheckMemory(ReadOnlyMemory<byte> onnxBytes, int featureCount, ModelLimits limits)
    {
        OnnxMemoryEstimate estimate;
        try
        {
            estimate = OnnxMemoryEstimate.Of(onnxBytes, featureCount);
        }
        catch (Exception e) when (e is not ModelValidationException)
        {
            // Fail closed: a graph the estimate cannot read is not run.
            throw new ModelValidationException("the model's graph could not be read to bound its memory use; check that it is a valid ONNX model", e);
        }
        if (estimate.Largest(SmokeRows) is { } smoke && smoke.Bytes(SmokeRows) > limits.MaxSmokeBytes)
            throw new ModelValidationException(
                $"the model would need at least {OnnxMemoryEstimate.FormatBytes(smoke.Bytes(SmokeRows))} for the {SmokeRows}-row smoke test " +
                $"({smoke.Describe(SmokeRows)}); the limit is {OnnxMemoryEstimate.FormatBytes(limits.MaxSmokeBytes)}");
        var rows = estimate.RowsWithin(limits.MaxBatchBytes, limits.BatchRows);
        if (rows == 0 && estimate.Largest(1) is { } one)
            throw new ModelValidationException(
                $"the model would need at least {OnnxMemoryEstimate.FormatBytes(one.Bytes(1))} for a single row ({one.Describe(1)}); " +
                $"the limit is {OnnxMemoryEstimate.FormatBytes(limits.MaxBatchBytes)} per batch");
        return rows;
    }

    /// <summary>
    /// The smoke run of gate 1: predicts the first <see cref="SmokeRows"/> rows of <paramref name="sample"/> (public
    /// rows, e.g. the training split) and checks that there is one finite value per row in the label's domain.
    /// Errors name the row (counted from 1) and the value.
    /// </summary>
    /// <exception cref="ModelValidationException">The model fails, is too slow, or predicts outside the domain.</exception>
    /// <exception cref="ArgumentException"><paramref name="sample"/> has no rows.</exception>
    public void Validate(Dataset sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.RowCount == 0) throw new ArgumentException("the smoke test needs at least one row", nameof(sample));
        var rows = Enumerable.Range(0, Math.Min(SmokeRows, sample.RowCount)).ToArray();
        try
        {
            Run(sample, rows, smoke: true, CancellationToken.None);
        }
        catch (OverMemoryBudget over) when (over.Shared)
        {
            // Another model ran beside it and the growth may have been that one's: try again alone before refusing.
            try
            {
                MemoryWatch.RunAlone(() => Run(sample, rows, smoke: true, CancellationToken.None), _limits.InferenceTimeout);
            }
            catch (OverMemoryBudget)
            {
                throw SmokeOverBudget();
            }
            catch (TimeoutException)
            {
                throw new ModelValidationException("the memory check of the model could not run alone in time; please submit it again");
            }
        }
        catch (OverMemoryBudget)
        {
            throw SmokeOverBudget();
        }
    }

    private ModelValidationException SmokeOverBudget() => new(SmokeOverBudgetMessage(_limits));

    /// <summary>The refusal of a model that grew past the smoke test's memory budget, in process or in its host.</summary>
    internal static string SmokeOverBudgetMessage(ModelLimits limits) =>
        $"the model used more than {OnnxMemoryEstimate.FormatBytes(limits.MaxSmokeBytes)} of memory in the {SmokeRows}-row smoke test " +
        "(tensors whose size depends on the data); the limit is " + OnnxMemoryEstimate.FormatBytes(limits.MaxSmokeBytes);

    /// <summary>The refusal of a model that passed the time limit, in process or in its host.</summary>
    internal static string TookTooLongMessage(ModelLimits limits) =>
        $"the model took longer than {limits.InferenceTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    /// <summary>A run stopped because the process grew past the run's memory budget (see <see cref="MemoryWatch"/>).</summary>
    private sealed class OverMemoryBudget(bool shared) : Exception
    {
        /// <summary>Whether another model ran at the same time, so the growth may not have been this one's.</summary>
        public bool Shared { get; } = shared;
    }

    /// <inheritdoc />
    /// <remarks>Unusable predictions become <see cref="InvalidPrediction"/> rather than errors (see there).</remarks>
    /// <exception cref="ModelValidationException">The model exceeds the time limit or returns the wrong number of values.</exception>
    /// <exception cref="ScoringInputException"><paramref name="data"/> lacks a column the model reads.</exception>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows) => Predict(data, rows, CancellationToken.None);

    /// <summary>As <see cref="Predict(Dataset, ReadOnlySpan{int})"/>, stopping early when <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Run(data, rows, smoke: false, cancellationToken);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();

    private float[] Run(Dataset data, ReadOnlySpan<int> rows, bool smoke, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new float[rows.Length];
        if (rows.IsEmpty) return result;
        var feeder = new Feeder(this, data, Math.Min(rows.Length, _batchRows));
        var limit = _limits.InferenceTimeout;
        var clock = Stopwatch.StartNew();
        using var runOptions = OnnxRuntimeEnvironment.CreateRunOptions();
        using var onTimeout = Watchdog.Schedule(limit, () => runOptions.Terminate = true);
        using var onCancel = cancellationToken.Register(() => runOptions.Terminate = true);
        var labels = new Dictionary<string, float?>(StringComparer.Ordinal);
        bool Stopped() => cancellationToken.IsCancellationRequested || clock.Elapsed >= limit;
        for (var start = 0; start < rows.Length; start += _batchRows)
        {
            var batch = rows.Slice(start, Math.Min(_batchRows, rows.Length - start));
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed > limit) throw TookTooLong(null);
            var values = feeder.Fill(batch);
            try
            {
                var destination = result.AsSpan(start, batch.Length);
                var (batchStart, batchLength) = (start, batch.Length);
                var budget = smoke ? _limits.MaxSmokeBytes : _limits.MaxBatchBytes;
                var outcome = RunWatched(values, runOptions, budget, destination, smoke, start, labels);
                if (outcome is { Within: false, Shared: true } && !smoke && !Stopped())
                {
                    // The growth may have been another model's: run the batch again alone before counting it as wrong.
                    runOptions.Terminate = false;
                    var remaining = limit - clock.Elapsed;
                    try
                    {
                        outcome = MemoryWatch.RunAlone(
                            () => RunWatched(values, runOptions, budget, result.AsSpan(batchStart, batchLength), smoke, batchStart, labels),
                            remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                    }
                    catch (TimeoutException)
                    {
                        // Counted as wrong below, as when the batch went over alone.
                    }
                }
                if (!outcome.Within)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (clock.Elapsed >= limit) throw TookTooLong(outcome.Failure);
                    if (smoke) throw new OverMemoryBudget(outcome.Shared);
                    // On hidden rows, as for any failure: the batch counts as wrong, and the next batch runs afresh.
                    destination.Fill(InvalidPrediction);
                    runOptions.Terminate = false;
                    if (clock.Elapsed >= limit) throw TookTooLong(null);
                }
            }
            catch (OnnxRuntimeException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (clock.Elapsed >= limit) throw TookTooLong(e);
                if (smoke && OnnxRuntimeEnvironment.IsOutOfMemory(e))
                    throw new ModelValidationException(
                        "the model ran out of memory in the smoke test: its tensors, whose size depends on the data, passed the " +
                        $"{OnnxMemoryEstimate.FormatBytes(OnnxRuntimeEnvironment.MaxArenaBytes)} that ONNX Runtime may use in this process", e);
                // ONNX Runtime's message can quote input values (e.g. an out-of-range index), so it is shown only for public rows.
                if (smoke) throw new ModelValidationException($"the model failed on the smoke test: {Describe(e)}", e);
                // On hidden rows a failure must not be observable (a model could fail on one person's exact features):
                // the batch gets invalid predictions, which count as wrong.
                result.AsSpan(start, batch.Length).Fill(InvalidPrediction);
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }
        // A run that finished just as the alarm went off still broke the limit.
        if (clock.Elapsed > limit) throw TookTooLong(null);
        return result;
    }

    /// <summary>
    /// One ONNX Runtime call under the memory watch: stopped (and not read) when the process grows past
    /// <paramref name="budget"/>. Failures other than the stop are left to the caller.
    /// </summary>
    private BatchOutcome RunWatched(IReadOnlyCollection<OrtValue> values, RunOptions runOptions, long budget, Span<float> destination,
        bool smoke, int offset, Dictionary<string, float?> labels)
    {
        using var watch = MemoryWatch.Watch(budget, () => runOptions.Terminate = true);
        try
        {
            using var outputs = _session.Run(runOptions, _inputNames, values, _outputNames);
            if (!watch.Exceeded) Read(outputs.First(), destination, smoke, offset, labels);
        }
        catch (OnnxRuntimeException e) when (watch.Exceeded)
        {
            return new BatchOutcome(false, watch.SawOthers, e);
        }
        return new BatchOutcome(!watch.Exceeded, watch.SawOthers, null);
    }

    /// <summary>Whether a batch stayed within its memory budget, whether another model ran beside it, and ONNX Runtime's error when it was stopped.</summary>
    private readonly record struct BatchOutcome(bool Within, bool Shared, OnnxRuntimeException? Failure);

    private ModelValidationException TookTooLong(Exception? inner) => new(TookTooLongMessage(_limits), inner);

    private void Read(OrtValue output, Span<float> destination, bool smoke, int offset, Dictionary<string, float?> labels)
    {
        var shape = output.GetTensorTypeAndShape();
        if (shape.ElementCount != destination.Length)
            throw new ModelValidationException(smoke
                ? $"the model returned {Count(shape.ElementCount, "value")} for {Count(destination.Length, "row")}; the first output must hold one prediction per row"
                : "the model returned the wrong number of values; the first output must hold one prediction per row");
        switch (_outputType)
        {
            case TensorElementType.String:
                for (var i = 0; i < destination.Length; i++)
                {
                    var text = output.GetStringElement(i);
                    if (!labels.TryGetValue(text, out var mapped))
                    {
                        mapped = _label!.TryMapLabel(text, out var y) ? y : null;
                        if (labels.Count < 1024) labels[text] = mapped;
                    }
                    destination[i] = mapped ?? (smoke ? throw OutOfDomain($"'{(text.Length > 40 ? text[..40] + "…" : text)}'", offset + i) : InvalidPrediction);
                }
                break;
            case TensorElementType.Int64:
                Convert(output.GetTensorDataAsSpan<long>(), destination, smoke, offset);
                break;
            case TensorElementType.Int32:
                Convert(output.GetTensorDataAsSpan<int>(), destination, smoke, offset);
                break;
            case TensorElementType.Float:
                Convert(output.GetTensorDataAsSpan<float>(), destination, smoke, offset);
                break;
            case TensorElementType.Double:
                Convert(output.GetTensorDataAsSpan<double>(), destination, smoke, offset);
                break;
            case TensorElementType.Bool:
                var flags = output.GetTensorDataAsSpan<bool>();
                for (var i = 0; i < destination.Length; i++) destination[i] = flags[i] ? 1f : 0f;
                break;
        }
    }

    private void Convert<T>(ReadOnlySpan<T> values, Span<float> destination, bool smoke, int offset) where T : System.Numerics.INumberBase<T>
    {
        var regression = Role == ModelRole.Predictor && _label!.Task == TaskKind.Regression;
        for (var i = 0; i < destination.Length; i++)
        {
            var value = double.CreateTruncating(values[i]);
            if (!double.IsFinite(value))
            {
                if (smoke)
                    throw new ModelValidationException(
                        $"the model predicted {Format(value)} for row {offset + i + 1} of the smoke test; predictions must be finite numbers");
                destination[i] = InvalidPrediction;
            }
            else if (regression)
            {
                destination[i] = (float)value;
            }
            else if (value is 0 or 1)
            {
                destination[i] = (float)value;
            }
            else
            {
                destination[i] = smoke ? throw OutOfDomain(values[i].ToString(null, CultureInfo.InvariantCulture), offset + i) : InvalidPrediction;
            }
        }
    }

    private ModelValidationException OutOfDomain(string value, int row)
    {
        var domain = Role == ModelRole.Group
            ? "a group model outputs 1 (in the group) or 0"
            : _outputType == TensorElementType.String
                ? $"labels are '{_label!.NegativeClass}' and '{_label.PositiveClass}'"
                : "labels are 0 and 1";
        if (_outputType is TensorElementType.Float or TensorElementType.Double && Role == ModelRole.Predictor)
            domain += " (the first output must be the predicted label, not a probability or score)";
        return new ModelValidationException($"the model predicted {value} for row {row + 1} of the smoke test; {domain}");
    }

    private static string Count(long n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string Format(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity"
            : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) =>
        (bytes / (double)ModelLimits.BytesPerMegabyte).ToString("0.#", CultureInfo.InvariantCulture);

    private static byte[] AsArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();

    /// <summary>ONNX Runtime's message without its error-code prefix, source locations and C++ signature, one line, bounded.</summary>
    internal static string Describe(OnnxRuntimeException e) => Describe(e.Message);

    internal static string Describe(string runtimeMessage)
    {
        var message = runtimeMessage.Split('\n')[0];
        message = ErrorCodePrefix().Replace(message, "");
        message = message.Replace("Load model from memory failed:", "", StringComparison.Ordinal).Trim();
        message = SourceLocation().Replace(message, "");
        message = WithoutSignature(message).Trim();
        return message.Length > 300 ? message[..300] + "…" : message;
    }

    /// <summary>Drops a leading C++ signature ("void onnxruntime::X::Y(const std::map&lt;…&gt;&amp;, …) ") that ONNX Runtime puts before its text.</summary>
    private static string WithoutSignature(string message)
    {
        var start = Signature().Match(message);
        if (!start.Success) return message;
        var depth = 0;
        for (var i = start.Length - 1; i < message.Length; i++)
        {
            if (message[i] == '(') depth++;
            else if (message[i] == ')' && --depth == 0) return message[(i + 1)..].TrimStart();
        }
        return message;
    }

    [GeneratedRegex(@"^(?:[\w:<>\*&]+\s+)?(?:\w+::)+~?\w+\(")]
    private static partial Regex Signature();

    [GeneratedRegex(@"^\[ErrorCode:[^\]]*\]\s*")]
    private static partial Regex ErrorCodePrefix();

    [GeneratedRegex(@"\S+\.(cc|cpp|h):\d+\s*")]
    private static partial Regex SourceLocation();
}
