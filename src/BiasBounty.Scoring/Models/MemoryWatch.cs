using System.Diagnostics;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Watches how much the process's resident memory grows while an untrusted model runs, and calls back when the growth
/// passes the run's budget (<see cref="ModelLimits.MaxSmokeBytes"/> for the smoke test, <see cref="ModelLimits.MaxBatchBytes"/>
/// per batch), so the run can be stopped and the model refused. It sees what the static estimate cannot: tensors whose
/// size is computed from the data.
/// <para>
/// What it cannot do: ONNX Runtime checks the stop flag between operators, so one operator that allocates and fills a
/// large tensor finishes first; the peak of such a run is bounded only by the process's arena cap
/// (<see cref="OnnxRuntimeEnvironment.MaxArenaBytes"/>). The growth is the whole process's: while one model goes over,
/// a run beside it goes over too, so a caller retries a stopped run alone (<see cref="RunAlone{T}"/>) before blaming
/// its model. The hard per-model bound is a process per model (<see cref="HostedOnnxModel"/>), which every untrusted model
/// gets; in a model host this watch still stops a run between operators, before the parent has to kill the host.
/// </para>
/// </summary>
internal static class MemoryWatch
{
    /// <summary>How often the resident memory is read while a run is watched: a 1 GB tensor takes ~100 ms to fill.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);

    private static readonly object Gate = new();
    private static readonly List<Lease> Leases = [];
    /// <summary>Ordinary runs hold it shared, a lone run exclusively; waiting lone runs go first (writer preference).</summary>
    private static readonly ReaderWriterLockSlim Turns = new(LockRecursionPolicy.SupportsRecursion);

    /// <summary>How long an ordinary run waits for a lone run to end before it runs beside it anyway.</summary>
    private static readonly TimeSpan LoneWait = TimeSpan.FromSeconds(10);
    private static Thread? _thread;

    /// <summary>Whether the resident memory can be read on this system (Linux: /proc/self/statm).</summary>
    public static bool Available { get; } = ReadResident() is not null;

    /// <summary>
    /// Starts watching: from now until the lease is disposed (on the same thread), <paramref name="onExceeded"/> is
    /// called (once, on the watch thread) if the process grows by more than <paramref name="budget"/> bytes. Waits up to
    /// 10 s while a lone run (<see cref="RunAlone{T}"/>) is in progress.
    /// </summary>
    public static Lease Watch(long budget, Action onExceeded)
    {
        var turn = Turns.TryEnterReadLock(LoneWait);
        var lease = new Lease(ReadResident() ?? 0, budget, onExceeded, turn);
        if (!Available) return lease;
        lock (Gate)
        {
            Leases.Add(lease);
            if (_thread is null)
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = "BiasBounty model memory watch" };
                _thread.Start();
            }
            Monitor.PulseAll(Gate);
        }
        return lease;
    }

    /// <summary>
    /// Runs <paramref name="run"/> with no other watched run beside it, so that what the process grows is its own: waits
    /// (up to <paramref name="wait"/>) for the runs in progress to end and holds new ones back until it is done.
    /// </summary>
    /// <exception cref="TimeoutException">The runs in progress did not end within <paramref name="wait"/>.</exception>
    public static T RunAlone<T>(Func<T> run, TimeSpan wait)
    {
        if (!Turns.TryEnterWriteLock(wait)) throw new TimeoutException("other models' runs did not end in time");
        try
        {
            return run();
        }
        finally
        {
            Turns.ExitWriteLock();
        }
    }

    private static void Loop()
    {
        while (true)
        {
            Lease[] active;
            lock (Gate)
            {
                while (Leases.Count == 0) Monitor.Wait(Gate);
                active = [.. Leases];
                if (active.Length > 1)
                    foreach (var lease in active) lease.SawOthers = true;
            }
            if (ReadResident() is { } resident)
                foreach (var lease in active)
                    if (resident - lease.Baseline > lease.Budget) lease.Exceed();
            Thread.Sleep(Interval);
        }
    }

    /// <summary>This process's resident bytes, or null where /proc is not there.</summary>
    private static long? ReadResident() => ResidentOf("self");

    /// <summary>
    /// The resident bytes of the process named by <paramref name="process"/> under /proc ("self" or a process id), or
    /// null when they cannot be read (the process is gone, or there is no /proc).
    /// </summary>
    internal static long? ResidentOf(string process)
    {
        try
        {
            // statm: size resident shared text lib data dt, in pages.
            var fields = File.ReadAllText($"/proc/{process}/statm").Split(' ', 3);
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>One watched run.</summary>
    public sealed class Lease(long baseline, long budget, Action onExceeded, bool holdsTurn) : IDisposable
    {
        private readonly Lock _lock = new();
        private bool _disposed;

        public long Baseline { get; } = baseline;

        public long Budget { get; } = budget;

        /// <summary>Whether the process grew past the budget while this run was watched.</summary>
        public bool Exceeded { get; private set; }

        /// <summary>Whether another watched run overlapped this one (then the growth may not be this run's alone).</summary>
        public bool SawOthers { get; internal set; }

        internal void Exceed()
        {
            lock (_lock)
            {
                if (_disposed || Exceeded) return;
                Exceeded = true;
                try
                {
                    onExceeded();
                }
                catch (ObjectDisposedException)
                {
                    // The run ended first: nothing left to stop.
                }
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
            }
            lock (Gate) Leases.Remove(this);
            if (holdsTurn) Turns.ExitReadLock();
        }
    }
}
