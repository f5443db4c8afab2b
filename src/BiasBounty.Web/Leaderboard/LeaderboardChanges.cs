using System.ComponentModel.DataAnnotations;
using System.Collections.Concurrent;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Leaderboard;

/// <summary>Section <c>BiasBounty:Leaderboard</c>.</summary>
public sealed class LeaderboardOptions
{
    public const string Section = "BiasBounty:Leaderboard";

    /// <summary>How often the web role reads the competitions' public versions (the worker may be another process).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = $"{Section}:{nameof(PollInterval)} must be between {{1}} and {{2}}.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an open event stream sends a comment, so a vanished client is noticed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = $"{Section}:{nameof(Heartbeat)} must be between {{1}} and {{2}}.")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Watches every public competition's version: its <see cref="Competition.Revision"/> (bumped by the scoring job and
/// organizer actions) and how many findings are disclosed (an embargo ends by the clock alone, with no bump). When one
/// moves, the cached leaderboard pages of that competition are evicted, then the event streams are woken.
/// </summary>
public sealed class LeaderboardChanges(IServiceScopeFactory scopes, IOutputCacheStore cache, TimeProvider time,
    IOptions<LeaderboardOptions> options, ILogger<LeaderboardChanges> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, string> _versions = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The output-cache tag of a competition's leaderboard pages.</summary>
    public static string CacheTag(string slug) => "leaderboard:" + slug;

    /// <summary>What the page and the event stream call the public state of a competition.</summary>
    public static string VersionText(long revision, int disclosed) => $"{revision}.{disclosed}";

    /// <summary>
    /// The competition's current public version; null for an unknown or draft competition, or while the first read
    /// has not succeeded (at most a few seconds are waited for it: the database may be down, a page must not hang).
    /// </summary>
    public async Task<string?> VersionAsync(string slug, CancellationToken ct)
    {
        if (!_firstRead.Task.IsCompleted)
        {
            try { await _firstRead.Task.WaitAsync(TimeSpan.FromSeconds(5), time, ct); }
            catch (TimeoutException) { return null; }
        }
        return _versions.GetValueOrDefault(slug);
    }

    /// <summary>Completes at the next change of any competition's version.</summary>
    public Task NextChangeAsync(CancellationToken ct) => Volatile.Read(ref _changed).Task.WaitAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await ReadAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Could not read the competitions' public versions; trying again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        var disclosed = Submission.DisclosedAt(time.GetUtcNow());
        Dictionary<string, string> current;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
            var rows = await db.Competitions.AsNoTracking().Public()
                .Select(c => new
                {
                    c.Slug, c.Revision,
                    Disclosed = db.Submissions.Where(disclosed).Count(s => s.CompetitionId == c.Id),
                })
                .ToListAsync(ct);
            current = rows.ToDictionary(r => r.Slug, r => VersionText(r.Revision, r.Disclosed), StringComparer.Ordinal);
        }

        var moved = current.Where(c => !_versions.TryGetValue(c.Key, out var known) || known != c.Value).Select(c => c.Key)
            .Concat(_versions.Keys.Where(k => !current.ContainsKey(k))).ToList();
        // Evict first, so a page re-fetched on the event is rendered afresh.
        foreach (var slug in moved) await cache.EvictByTagAsync(CacheTag(slug), ct);
        foreach (var slug in _versions.Keys.Where(k => !current.ContainsKey(k))) _versions.TryRemove(slug, out _);
        foreach (var (slug, version) in current) _versions[slug] = version;
        _firstRead.TrySetResult();
        if (moved.Count > 0)
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
