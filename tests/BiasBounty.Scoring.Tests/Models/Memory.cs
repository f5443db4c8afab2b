using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

/// <summary>The process's resident memory and its peak, from /proc/self/status.</summary>
internal sealed record Memory(long Resident, long Peak)
{
    /// <summary>Resets the peak to the current resident memory (Linux: 5 to /proc/self/clear_refs), so that an earlier test's peak hides nothing.</summary>
    public static Memory ReadAfterResettingPeak()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Read();
    }

    public static Memory Read()
    {
        var status = File.ReadAllLines("/proc/self/status");
        long Field(string name) => long.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim().Split(' ')[0]) * 1024;
        return new Memory(Field("VmRSS"), Field("VmHWM"));
    }

    /// <summary>The peak since <paramref name="before"/> is at most its resident memory plus <paramref name="slack"/> (or the earlier peak).</summary>
    public static void AssertPeakWithin(Memory before, long slack)
    {
        var after = Read();
        var allowed = Math.Max(before.Peak, before.Resident + slack);
        Assert.True(after.Peak <= allowed,
            $"peak resident memory reached {after.Peak / ModelLimits.BytesPerMegabyte} MB; allowed {allowed / ModelLimits.BytesPerMegabyte} MB");
    }
}
