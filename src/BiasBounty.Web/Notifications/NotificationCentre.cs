using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Notifications;

/// <summary>One notification as its owner's centre shows it.</summary>
public sealed record NotificationItem(Guid Id, string Kind, string Title, string Body, string? Link, DateTimeOffset CreatedAt, bool IsRead)
{
    /// <summary>The link when it is a path inside the site (what <see cref="Notifier"/> writes); anything else is not rendered.</summary>
    public string? SafeLink => Link is { Length: > 0 } link && !link.StartsWith('/') && !link.StartsWith('\\')
        && Uri.IsWellFormedUriString(link, UriKind.Relative) && !link.Contains(':') ? link : null;
}

/// <summary>
/// A user's notification centre. Every read and write is filtered by the owner's id, so a tampered notification id
/// cannot reach another user's row.
/// </summary>
public sealed class NotificationCentre(ApplicationDbContext db, TimeProvider time)
{
    /// <summary>The badge shows at most this many; beyond it says "99+" (the count stops early, so it stays cheap).</summary>
    public const int UnreadCap = 100;

    /// <summary>The user's notifications, newest first.</summary>
    public async Task<IReadOnlyList<NotificationItem>> ListAsync(string userId, int take = 200, CancellationToken ct = default) =>
        await db.Notifications.AsNoTracking().Where(n => n.UserId == userId)
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(take)
            .Select(n => new NotificationItem(n.Id, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(ct);

    /// <summary>Unread notifications, counted up to <see cref="UnreadCap"/> over the (UserId, CreatedAt) index.</summary>
    public Task<int> UnreadCountAsync(string userId, CancellationToken ct = default) =>
        db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null).Take(UnreadCap).CountAsync(ct);

    /// <summary>Marks one of the user's notifications read; false when the user has no such notification.</summary>
    public async Task<bool> MarkReadAsync(string userId, Guid notificationId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var owned = await db.Notifications.Where(n => n.Id == notificationId && n.UserId == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, n => n.ReadAt ?? now), ct);
        return owned == 1;
    }

    /// <summary>Marks all the user's unread notifications read; returns how many.</summary>
    public Task<int> MarkAllReadAsync(string userId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, now), ct);
    }
}
