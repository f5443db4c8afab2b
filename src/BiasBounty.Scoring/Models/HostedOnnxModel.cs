using System.Diagnostics;
using System.Globalization;
using BiasBounty.Scoring.Data;
using P = BiasBounty.Scoring.Models.ModelHostProtocol;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// An untrusted ONNX model run in its own model host process (<see cref="ModelHost"/>), with the checks, messages and
/// predictions of <see cref="OnnxModel"/> (which runs inside the host) and a hard memory bound: the parent reads the
/// host's resident memory every 2 ms and kills it (SIGKILL) once it has grown more than the run's budget since the model
/// was loaded (<see cref="ModelLimits.MaxSmokeBytes"/> in the smoke test, <see cref="ModelLimits.MaxBatchBytes"/> per
/// batch), and the host's ONNX Runtime arena is capped at the larger of the two, so no allocation, not even one
/// operator's, can take it past that. A host that dies for any reason (that kill, the time limit, a crash in native
/// code, garbage on its pipe) refuses the model in the smoke test with the same messages as in process, and on hidden
/// rows counts its batch as wrong; the next batch gets another host.
/// <para>
/// One host per model at a time, taken at <see cref="Load"/>, kept for the model's calls, and handed back when the model is
/// disposed or has been idle for <see cref="IdleTimeout"/> (the next call takes one again). Calls are serialised. A host
/// handed back unloads the model and may serve the next one (<see cref="ModelHostPool"/>): starting a host (the runtime,
/// its JIT and ONNX Runtime's start) costs far more than loading a model into a running one.
/// </para>
/// </summary>
public sealed class HostedOnnxModel : IOnnxModel
{
    /// <summary>How long a host is kept without a call: a scoring job's calls come within it, an accepted fix's next job not.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(20);

    /// <summary>What a host may grow to while it starts and loads the model: the runtime, the weights and their optimised copies.</summary>
    internal const long LoadAllowanceBytes = 1024L * ModelLimits.BytesPerMegabyte;

    /// <summary>Time a host gets beyond the model's own limit to answer (it enforces the limit itself and says so).</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly byte[] _bytes;
    private readonly P.LoadSettings _settings;
    private readonly ModelLimits _limits;
    private readonly DatasetSchema _schema;
    private HostChild? _child;
    private IDisposable? _idle;
    private bool _disposed;

    private HostedOnnxModel(byte[] bytes, P.LoadSettings settings, ModelLimits limits, DatasetSchema schema)
    {
        _bytes = bytes;
        _settings = settings;
        _limits = limits;
        _schema = schema;
    }

    /// <summary>Rows per batch sent to the host (see <see cref="OnnxModel.BatchRows"/>).</summary>
    public int BatchRows { get; private set; }

    /// <summary>Which input convention the model's inputs follow.</summary>
    public OnnxInputConvention Convention { get; private set; }

    /// <summary>The feature columns the model reads.</summary>
    public IReadOnlyList<string> InputColumns { get; private set; } = [];

    /// <summary>The process id of the newest host started, also while a call is running (tests).</summary>
    internal int HostProcessId => Volatile.Read(ref _hostProcessId);

    private int _hostProcessId;

    /// <summary>Starts a host and loads the model in it: every check of <see cref="OnnxModel.Load"/>, with its messages.</summary>
    /// <exception cref="ModelValidationException">The model cannot be used; the message says why.</exception>
    public static HostedOnnxModel Load(ReadOnlyMemory<byte> onnxBytes, DatasetSchema schema, LabelDomain? label, ModelRole role,
        ModelLimits? limits = null, FeatureCoding? coding = null)
    {
        limits = OnnxModel.CheckArguments(onnxBytes, schema, label, role, limits, coding);
        var arena = Math.Clamp(Math.Max(limits.MaxSmokeBytes, limits.MaxBatchBytes), 16 * ModelLimits.BytesPerMegabyte, uint.MaxValue);
        var settings = new P.LoadSettings(schema, label, role, limits, coding, arena, OnnxRuntimeEnvironment.IntraOpThreads);
        var model = new HostedOnnxModel(onnxBytes.ToArray(), settings, limits, schema);
        lock (model._gate)
        {
            model._child = model.StartChild() switch
            {
                { Child: { } child } => child,
                { Refusal: var refusal } => throw new ModelValidationException(refusal!),
            };
            model.ScheduleIdleStop();
        }
        return model;
    }

    /// <summary>The smoke run of gate 1 in the host (see <see cref="OnnxModel.Validate"/>), with the same messages.</summary>
    /// <exception cref="ModelValidationException">The model fails, is too slow, uses too much memory, or predicts outside the domain.</exception>
    public void Validate(Dataset sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.RowCount == 0) throw new ArgumentException("the smoke test needs at least one row", nameof(sample));
        var rows = Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, sample.RowCount)).ToArray();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var child = _child ?? StartChild() switch
            {
                { Child: { } started } => started,
                { Refusal: var refusal } => throw new ModelValidationException(refusal!),
            };
            _child = child;
            var outcome = child.Call(P.Smoke, sample, Needed(), rows, _limits.MaxSmokeBytes, _limits.InferenceTimeout + Grace, CancellationToken.None);
            switch (outcome)
            {
                case { Kind: P.Passed }:
                    ScheduleIdleStop();
                    return;
                case { Kind: P.Refused, Message: var message }:
                    ScheduleIdleStop();
                    throw new ModelValidationException(message!);
                default:
                    Stop();
                    throw new ModelValidationException(outcome.Death switch
                    {
                        HostDeath.Memory => OnnxModel.SmokeOverBudgetMessage(_limits),
                        HostDeath.Time => OnnxModel.TookTooLongMessage(_limits),
                        _ => "the model failed on the smoke test: the process running it stopped unexpectedly (it crashed ONNX Runtime or was killed)",
                    });
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Unusable predictions, and every row of a batch whose host died, become <see cref="OnnxModel.InvalidPrediction"/>.</remarks>
    /// <exception cref="ModelValidationException">The model exceeds the time limit or returns the wrong number of values.</exception>
    /// <exception cref="ScoringInputException"><paramref name="data"/> lacks a column the model reads.</exception>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows) => Predict(data, rows, CancellationToken.None);

    /// <summary>As <see cref="Predict(Dataset, ReadOnlySpan{int})"/>, stopping early when <paramref name="cancellationToken"/> is cancelled.</summary>
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new float[rows.Length];
        if (rows.IsEmpty) return result;
        var all = rows.ToArray();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var needed = Needed();
            foreach (var spec in needed)
                if (!data.TryGetColumn(spec.Name, out var column) || column.Kind != spec.Kind) throw OnnxModel.MissingInput(spec);
            var limit = _limits.InferenceTimeout;
            var clock = Stopwatch.StartNew();
            var batchRows = Math.Max(1, BatchRows);
            for (var start = 0; start < all.Length; start += batchRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (clock.Elapsed > limit) throw new ModelValidationException(OnnxModel.TookTooLongMessage(_limits));
                var batch = all.AsSpan(start, Math.Min(batchRows, all.Length - start));
                var destination = result.AsSpan(start, batch.Length);
                _child ??= StartChild().Child;
                if (_child is not { } child)
                {
                    // The model loaded before; a host that cannot load it again counts the batch as wrong, like a crash.
                    destination.Fill(OnnxModel.InvalidPrediction);
                    continue;
                }
                var outcome = child.Call(P.Predict, data, needed, batch.ToArray(), _limits.MaxBatchBytes, limit - clock.Elapsed, cancellationToken);
                switch (outcome)
                {
                    case { Kind: P.Values, Values: var values }:
                        values.CopyTo(destination);
                        break;
                    case { Kind: P.Refused, Message: var message }:
                        throw new ModelValidationException(message!);
                    default:
                        Stop();
                        cancellationToken.ThrowIfCancellationRequested();
                        if (outcome.Death == HostDeath.Time) throw new ModelValidationException(OnnxModel.TookTooLongMessage(_limits));
                        // On hidden rows, as for any failure: the batch counts as wrong, and the next batch runs in a new host.
                        destination.Fill(OnnxModel.InvalidPrediction);
                        break;
                }
            }
            if (clock.Elapsed > limit) throw new ModelValidationException(OnnxModel.TookTooLongMessage(_limits));
            ScheduleIdleStop();
        }
        return result;
    }

    /// <summary>Stops the host.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Stop();
        }
    }

    /// <summary>The columns sent to the host: every feature for the float tensor (its coding reads them all), else the inputs.</summary>
    private IReadOnlyList<ColumnSpec> Needed() =>
        Convention == OnnxInputConvention.FloatTensor
            ? _schema.Features
            : InputColumns.Select(name => _schema.Features.First(f => f.Name == name)).ToArray();

    private (HostChild? Child, string? Refusal) StartChild()
    {
        var child = HostChild.Start(_bytes, _settings, _limits.InferenceTimeout + Grace);
        Volatile.Write(ref _hostProcessId, child.Process.Id);
        switch (child.Outcome)
        {
            case { Kind: P.Ready, Ready: var ready }:
                (BatchRows, Convention, InputColumns) = ready!.Value;
                return (child, null);
            case { Kind: P.Refused, Message: var message }:
                ModelHostPool.Return(child);
                return (null, message);
            default:
                child.Dispose();
                return (null, child.Outcome.Death switch
                {
                    HostDeath.Memory => $"ONNX Runtime could not load the model: loading it took more than {OnnxMemoryEstimate.FormatBytes(LoadAllowanceBytes)} of memory",
                    HostDeath.Time => $"ONNX Runtime could not load the model within {_limits.InferenceTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
                    _ => "ONNX Runtime could not load the model: the process loading it stopped unexpectedly",
                });
        }
    }

    private void Stop()
    {
        _idle?.Dispose();
        _idle = null;
        if (_child is { } child) ModelHostPool.Return(child);
        _child = null;
    }

    private void ScheduleIdleStop()
    {
        _idle?.Dispose();
        _idle = Watchdog.Schedule(IdleTimeout, () =>
        {
            // A call in progress keeps its host; it schedules the next stop when it ends.
            if (!_gate.TryEnter()) return;
            try
            {
                if (_child is { } child) ModelHostPool.Return(child);
                _child = null;
            }
            finally
            {
                _gate.Exit();
            }
        });
    }

    /// <summary>Why a host stopped answering.</summary>
    internal enum HostDeath
    {
        None,
        Memory,
        Time,
        Cancelled,
        Crashed,
    }

    /// <summary>A host's answer, or how it died.</summary>
    internal readonly record struct Outcome(
        byte Kind, HostDeath Death, string? Message = null, float[]? Values = null, (int, OnnxInputConvention, IReadOnlyList<string>)? Ready = null);

    /// <summary>One host process and its pipes.</summary>
    internal sealed class HostChild : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly Stream _input;
        private readonly Stream _output;
        private readonly P.Writer _request = new();
        private HostDeath _death;
        private Dataset? _columnsOf;

        private HostChild(Process process, ModelHostPool.Key key)
        {
            Process = process;
            Key = key;
            _input = process.StandardInput.BaseStream;
            _output = process.StandardOutput.BaseStream;
        }

        public Process Process { get; }

        /// <summary>The program and ONNX Runtime settings this host runs with: it only serves models that share them.</summary>
        public ModelHostPool.Key Key { get; }

        /// <summary>Resident bytes after the model loaded: run budgets are counted from here.</summary>
        public long Baseline { get; private set; }

        /// <summary>Resident bytes after this host's first unload (0 before it): a host handed back well above it is not reused.</summary>
        public long Floor { get; set; }

        /// <summary>Models this host has been sent.</summary>
        public int Models { get; private set; }

        /// <summary>Whether the host has neither died nor been killed (a host is only reused then).</summary>
        public bool Alive
        {
            get
            {
                lock (_lock) if (_death != HostDeath.None) return false;
                try
                {
                    return !Process.HasExited;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }
        }

        public Outcome Outcome { get; private set; }

        /// <summary>
        /// Loads the model in a host: a reused one when the pool has one, else a new one. When a reused host dies while
        /// loading, the model is loaded again in a new host, whose answer decides.
        /// </summary>
        public static HostChild Start(byte[] bytes, P.LoadSettings settings, TimeSpan timeout)
        {
            var command = ModelHostLauncher.Command();
            var key = ModelHostPool.KeyOf(command, settings);
            var load = new P.Writer().Int(P.Version);
            settings.Write(load);
            load.Bytes(bytes);
            if (ModelHostPool.Take(key) is { } reused)
            {
                // Out of time is the model's own verdict; a crash or the memory kill may be the reused host's, so a new one decides.
                if (reused.Load(load, timeout) is { Kind: P.Ready or P.Refused } or { Death: HostDeath.Time }) return reused;
                reused.Dispose();
            }
            var child = new HostChild(ModelHostLauncher.Start(command), key);
            child.Load(load, timeout);
            return child;
        }

        private Outcome Load(P.Writer load, TimeSpan timeout)
        {
            Models++;
            _columnsOf = null;
            Outcome = Exchange(P.Load, load, LoadAllowanceBytes, timeout, CancellationToken.None);
            if (Outcome.Kind == P.Ready) Baseline = HostMemoryWatch.Resident(Process.Id) ?? 0;
            return Outcome;
        }

        /// <summary>Drops the model (the host gives its memory back); true when the host answered in time.</summary>
        public bool Unload(TimeSpan timeout)
        {
            _columnsOf = null; // the last model's data is not kept alive by a waiting host
            return Exchange(P.Unload, new P.Writer(), LoadAllowanceBytes, timeout, CancellationToken.None).Kind == P.Passed;
        }

        /// <summary>Sends <paramref name="rows"/> of <paramref name="data"/> (with the data's column header when it is new to this host).</summary>
        public Outcome Call(byte kind, Dataset data, IReadOnlyList<ColumnSpec> columns, int[] rows, long budget, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (!ReferenceEquals(_columnsOf, data))
            {
                _request.Reset();
                _request.Int(columns.Count);
                foreach (var spec in columns)
                {
                    _request.Text(spec.Name).Byte((byte)spec.Kind);
                    if (data[spec.Name] is CategoricalColumn categorical)
                    {
                        _request.Int(categorical.Categories.Count);
                        foreach (var category in categorical.Categories) _request.Text(category);
                    }
                }
                if (!Send(P.Columns, _request)) return new Outcome(0, Died(HostDeath.Crashed));
                _columnsOf = data;
            }
            _request.Reset();
            _request.Int(rows.Length);
            var floats = new float[rows.Length];
            var codes = new int[rows.Length];
            foreach (var spec in columns)
            {
                switch (data[spec.Name])
                {
                    case NumericColumn numeric:
                        for (var r = 0; r < rows.Length; r++) floats[r] = numeric.Values[rows[r]];
                        _request.Raw<float>(floats);
                        break;
                    case CategoricalColumn categorical:
                        for (var r = 0; r < rows.Length; r++) codes[r] = categorical.Codes[rows[r]];
                        _request.Raw<int>(codes);
                        break;
                }
            }
            var outcome = Exchange(kind, _request, Baseline + budget, timeout, cancellationToken);
            if (outcome is { Kind: P.Values, Values: var values } && values!.Length != rows.Length)
                return new Outcome(0, Died(HostDeath.Crashed)); // garbage: the host is not trusted to count
            return outcome;
        }

        /// <summary>
        /// One request and its answer, with the host watched: killed when its resident memory passes <paramref name="limit"/>
        /// bytes, when <paramref name="timeout"/> passes, or on cancellation.
        /// </summary>
        private Outcome Exchange(byte kind, P.Writer request, long limit, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var watch = HostMemoryWatch.Watch(Process.Id, limit, () => Kill(HostDeath.Memory));
            using var alarm = Watchdog.Schedule(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, () => Kill(HostDeath.Time));
            using var onCancel = cancellationToken.Register(() => Kill(HostDeath.Cancelled));
            if (!Send(kind, request)) return new Outcome(0, Died(HostDeath.Crashed));
            try
            {
                if (P.Read(_output) is not { } answer) return new Outcome(0, Died(HostDeath.Crashed));
                var body = new P.Reader(answer.Payload);
                return answer.Kind switch
                {
                    P.Passed => new Outcome(P.Passed, HostDeath.None),
                    P.Refused => new Outcome(P.Refused, HostDeath.None, body.Text()),
                    P.Values => new Outcome(P.Values, HostDeath.None, Values: body.Raw<float>(body.Count(P.MaxPayloadBytes / 4))),
                    P.Ready => new Outcome(P.Ready, HostDeath.None, Ready: ReadReady(body)),
                    _ => throw new InvalidDataException("an unknown answer"),
                };
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
            {
                return new Outcome(0, Died(HostDeath.Crashed));
            }
        }

        private static (int, OnnxInputConvention, IReadOnlyList<string>) ReadReady(P.Reader body)
        {
            var batchRows = body.Count(int.MaxValue);
            var convention = (OnnxInputConvention)body.Byte();
            if (!Enum.IsDefined(convention) || batchRows < 1) throw new InvalidDataException("a bad ready message");
            var inputs = new string[body.Count(100_000)];
            for (var i = 0; i < inputs.Length; i++) inputs[i] = body.Text();
            return (batchRows, convention, inputs);
        }

        private bool Send(byte kind, P.Writer request)
        {
            try
            {
                P.Write(_input, kind, request.Payload);
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>Kills the host (once), remembering the first reason; returns the reason it died for.</summary>
        private HostDeath Died(HostDeath fallback)
        {
            Kill(fallback);
            lock (_lock) return _death;
        }

        public void Kill(HostDeath reason)
        {
            lock (_lock)
            {
                if (_death == HostDeath.None) _death = reason;
            }
            try
            {
                Process.Kill();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Already gone.
            }
        }

        public void Dispose()
        {
            Kill(HostDeath.None);
            try
            {
                Process.WaitForExit(5_000);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Nothing to wait for.
            }
            Process.Dispose();
        }
    }
}
