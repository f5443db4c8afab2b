using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Persistence;

/// <summary>
/// A PostgreSQL advisory lock on a key, held to the end of the current transaction: callers with the same key take
/// turns, across every process on the database.
/// </summary>
public static class TransactionLock
{
    public static Task AcquireAsync(ApplicationDbContext db, string key, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
}
