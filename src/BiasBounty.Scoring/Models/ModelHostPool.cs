using HostChild = BiasBounty.Scoring.Models.HostedOnnxModel.HostChild;
using P = BiasBounty.Scoring.Models.ModelHostProtocol;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Model hosts that finished with a model and may serve the next one. Starting a host costs about half a second of a
/// core (the runtime, its JIT and ONNX Runtime's start); loading a model into a running host costs milliseconds, and a
/// busy worker or web process checks and scores fixes several times a second.
/// <para>
/// A host handed back (<see cref="Return"/>) unloads its model and gives its native memory back (ONNX Runtime's arena
/// hands its unused regions back after every run; malloc_trim at unload), so the next model's tensors grow the host
/// from the same floor as in a new host and its memory verdicts are the same (the .NET heap the host keeps is not
/// memory ONNX Runtime can allocate from). It is kept only if it answered, is alive, has served fewer than
/// <see cref="MaxModelsPerHost"/> models, and its resident memory is at most <see cref="MaxResidentBytes"/> and within
/// <see cref="ResidentMarginBytes"/> of where it was after its first unload (a host that grows from model to model is
/// retired). A host that was killed, died, timed out or refused to unload is never reused; a reused host that crashes
/// or is killed for memory while loading a model is replaced by a new one for that model. At most
/// <see cref="MaxIdle"/> hosts wait (the longest-waiting makes room for a newer one), each for at most
/// <see cref="IdleLifetime"/>.
/// </para>
/// </summary>
internal static class ModelHostPool
{
    /// <summary>
    /// Hosts kept waiting: a worker's scoring threads and the web's uploads reuse them in turn. Fixed rather than one per
    /// core, because a pod without a CPU limit sees the node's cores and each waiting host holds 60–160 MB.
    /// </summary>
    public const int MaxIdle = 2;

    /// <summary>How long a host waits for its next model before it is stopped.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(60);

    /// <summary>How many models one host serves before it is retired (bounds what any leak could add up to).</summary>
    public const int MaxModelsPerHost = 100;

    /// <summary>
    /// The most a host may hold when handed back (a host without a model holds 59–78 MB here): a model that left more
    /// behind than the runtime's own growth retires its host.
    /// </summary>
    public const long MaxResidentBytes = 160L * ModelLimits.BytesPerMegabyte;

    /// <summary>
    /// How far above its resident memory after its first unload a host may be when handed back later: the runtime's own
    /// growth as it compiles more code paths and keeps its collected heap (up to about 15 MB over five models), not a leak.
    /// </summary>
    public const long ResidentMarginBytes = 48L * ModelLimits.BytesPerMegabyte;

    /// <summary>How long a host gets to unload a model.</summary>
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(5);

    private static readonly Lock Gate = new();
    private static readonly List<(HostChild Host, IDisposable Expiry)> Idle = [];
    private static int _admitting;

    /// <summary>What a host is bound to: the program it runs and its ONNX Runtime environment, set at its first model.</summary>
    public readonly record struct Key(string Command, int Threads, long ArenaBytes);

    /// <summary>Hosts handed back whose unload has not finished (tests).</summary>
    public static int Admitting => Volatile.Read(ref _admitting);

    /// <summary>Whether the host with this process id is waiting for a model (tests).</summary>
    public static bool IsWaiting(int processId)
    {
        lock (Gate) return Idle.Exists(e => e.Host.Process.Id == processId);
    }

    /// <summary>The key of a host started from <paramref name="command"/> (<see cref="ModelHostLauncher.Command"/>) for <paramref name="settings"/>.</summary>
    public static Key KeyOf((string FileName, IReadOnlyList<string> Arguments) command, P.LoadSettings settings) =>
        new(string.Join('\0', [command.FileName, .. command.Arguments]), settings.Threads, settings.ArenaBytes);

    /// <summary>A waiting host with <paramref name="key"/>, the most recently handed back first; null when none waits.</summary>
    public static HostChild? Take(Key key)
    {
        while (true)
        {
            (HostChild Host, IDisposable Expiry) entry;
            lock (Gate)
            {
                var index = Idle.FindLastIndex(e => e.Host.Key == key);
                if (index < 0) return null;
                entry = Idle[index];
                Idle.RemoveAt(index);
            }
            entry.Expiry.Dispose();
            if (entry.Host.Alive) return entry.Host;
            entry.Host.Dispose();
        }
    }

    /// <summary>
    /// Takes a host back from a model: unloads it and keeps it for the next model, or stops it. Returns at once; the
    /// work runs on the thread pool (a model's idle stop runs on the watchdog's thread, which must not wait on a host).
    /// </summary>
    public static void Return(HostChild host)
    {
        if (!host.Alive || host.Models >= MaxModelsPerHost)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static host => host.Dispose(), host, preferLocal: false);
            return;
        }
        Interlocked.Increment(ref _admitting);
        ThreadPool.UnsafeQueueUserWorkItem(static host =>
        {
            try
            {
                Admit(host);
            }
            finally
            {
                Interlocked.Decrement(ref _admitting);
            }
        }, host, preferLocal: false);
    }

    /// <summary>Stops every waiting host (tests).</summary>
    public static void Clear()
    {
        List<(HostChild Host, IDisposable Expiry)> all;
        lock (Gate)
        {
            all = [.. Idle];
            Idle.Clear();
        }
        foreach (var (host, expiry) in all)
        {
            expiry.Dispose();
            host.Dispose();
        }
    }

    private static void Admit(HostChild host)
    {
        var resident = host.Unload(UnloadTimeout) && host.Alive ? HostMemoryWatch.Resident(host.Process.Id) : null;
        if (resident is { } first && host.Floor == 0) host.Floor = first; // its first unload
        if (resident is not { } held || held > MaxResidentBytes || held > host.Floor + ResidentMarginBytes)
        {
            host.Dispose();
            return;
        }
        (HostChild Host, IDisposable Expiry)? evicted = null;
        lock (Gate)
        {
            // Full: the host waiting longest makes room (the newest is the likeliest to be asked for next).
            if (Idle.Count >= MaxIdle)
            {
                evicted = Idle[0];
                Idle.RemoveAt(0);
            }
            Idle.Add((host, Watchdog.Schedule(IdleLifetime, () => Expire(host))));
        }
        if (evicted is var (old, expiry))
        {
            expiry.Dispose();
            old.Dispose();
        }
    }

    private static void Expire(HostChild host)
    {
        lock (Gate)
        {
            var index = Idle.FindIndex(e => ReferenceEquals(e.Host, host));
            if (index < 0) return; // taken meanwhile
            Idle.RemoveAt(index);
        }
        // Off the watchdog's thread: stopping waits for the process to exit.
        ThreadPool.UnsafeQueueUserWorkItem(static host => host.Dispose(), host, preferLocal: false);
    }
}
