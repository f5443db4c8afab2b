using System.Diagnostics;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// Runs an action at a deadline on its own thread. Model time limits cannot rely on .NET timers: their callbacks run
/// on the thread pool, which a busy worker (or a parallel test run) can starve for longer than the limit itself.
/// </summary>
internal static class Watchdog
{
    private static readonly object Gate = new();
    private static readonly List<Alarm> Alarms = [];
    private static Thread? _thread;

    /// <summary>Calls <paramref name="action"/> once after <paramref name="delay"/> unless the returned alarm is disposed first.</summary>
    public static IDisposable Schedule(TimeSpan delay, Action action)
    {
        var alarm = new Alarm(Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency), action);
        lock (Gate)
        {
            Alarms.Add(alarm);
            if (_thread is null)
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = "BiasBounty model watchdog" };
                _thread.Start();
            }
            Monitor.PulseAll(Gate);
        }
        return alarm;
    }

    private static void Loop()
    {
        while (true)
        {
            Alarm due;
            lock (Gate)
            {
                while (true)
                {
                    if (Alarms.Count == 0)
                    {
                        Monitor.Wait(Gate);
                        continue;
                    }
                    var next = Alarms.MinBy(a => a.Deadline)!;
                    var wait = next.Deadline - Stopwatch.GetTimestamp();
                    if (wait <= 0)
                    {
                        Alarms.Remove(next);
                        due = next;
                        break;
                    }
                    Monitor.Wait(Gate, TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency) + TimeSpan.FromMilliseconds(1));
                }
            }
            due.Fire();
        }
    }

    private sealed class Alarm(long deadline, Action action) : IDisposable
    {
        private readonly Lock _lock = new();
        private bool _disposed;

        public long Deadline { get; } = deadline;

        public void Fire()
        {
            // Under the alarm's own lock, so Dispose cannot return while the action runs on what it guards.
            lock (_lock)
            {
                if (_disposed) return;
                try
                {
                    action();
                }
                catch (ObjectDisposedException)
                {
                    // The guarded object went away first: nothing left to stop.
                }
            }
        }

        public void Dispose()
        {
            lock (_lock) _disposed = true;
            lock (Gate) Alarms.Remove(this);
        }
    }
}
