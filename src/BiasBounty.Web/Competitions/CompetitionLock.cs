using BiasBounty.Web.Persistence;

namespace BiasBounty.Web.Competitions;

/// <summary>
/// The competition's advisory lock, held to the end of the current transaction: scoring decisions, the close and a
/// holdout refresh take it, so none of them interleaves with another on the same competition.
/// </summary>
public static class CompetitionLock
{
    public static Task AcquireAsync(ApplicationDbContext db, Guid competitionId, CancellationToken ct) =>
        TransactionLock.AcquireAsync(db, "competition:" + competitionId, ct);
}
