using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Competitions;

/// <summary>
/// The competition's advisory lock, held to the end of the current transaction: scoring decisions, the close and a
/// holdout refresh take it, so none of them interleaves with another on the same competition.
/// </summary>
public static class CompetitionLock
{
    public static Task AcquireAsync(ApplicationDbContext db, Guid competitionId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"competition:" + competitionId}, 0))", ct);
}
