namespace BiasBounty.Scoring.Models;

/// <summary>
/// Reads model hosts' resident memory (/proc/PID/statm) every 2 ms on one thread and calls back (once) when a host
/// passes its limit; the callback kills it. At 2 ms a host filling memory at 10 GB/s overshoots by about 20 MB before
/// it dies, and its arena cap bounds the rest (<see cref="HostedOnnxModel"/>).
/// </summary>
internal static class HostMemoryWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);
    private static readonly object Gate = new();
    private static readonly List<Lease> Leases = [];
    private static Thread? _thread;

    /// <summary>Watches <paramref name="processId"/> until the lease is disposed.</summary>
    public static IDisposable Watch(int processId, long limit, Action onExceeded)
    {
        var lease = new Lease(processId, limit, onExceeded);
        lock (Gate)
        {
            Leases.Add(lease);
            if (_thread is null)
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = "BiasBounty model host memory watch" };
                _thread.Start();
            }
            Monitor.PulseAll(Gate);
        }
        return lease;
    }

    /// <summary>A process's resident bytes, or null when it cannot be read (gone, or no /proc).</summary>
    public static long? Resident(int processId) =>
        MemoryWatch.ResidentOf(processId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static void Loop()
    {
        while (true)
        {
            Lease[] active;
            lock (Gate)
            {
                while (Leases.Count == 0) Monitor.Wait(Gate);
                active = [.. Leases];
            }
            foreach (var lease in active)
                if (Resident(lease.ProcessId) > lease.Limit) lease.Exceed();
            Thread.Sleep(Interval);
        }
    }

    private sealed class Lease(int processId, long limit, Action onExceeded) : IDisposable
    {
        private readonly Lock _lock = new();
        private bool _done;

        public int ProcessId { get; } = processId;

        public long Limit { get; } = limit;

        /// <summary>Calls back once, unless disposed first; under the lease's lock, so no kill lands after <see cref="Dispose"/>.</summary>
        public void Exceed()
        {
            lock (_lock)
            {
                if (_done) return;
                _done = true;
                onExceeded();
            }
        }

        /// <summary>Ends the watch; waits for a callback already under way (a reused host must not be killed for its last model).</summary>
        public void Dispose()
        {
            lock (_lock) _done = true;
            lock (Gate) Leases.Remove(this);
        }
    }
}
