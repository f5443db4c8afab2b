using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Competitions;

/// <summary>The counter behind <see cref="Competition.Revision"/>: the public pages re-read a competition when it moves.</summary>
public static class PublicRevision
{
    /// <summary>Adds one in the database directly (not through the change tracker), so concurrent changes never lose a bump.</summary>
    public static Task<int> BumpAsync(ApplicationDbContext db, Guid competitionId, CancellationToken ct = default) =>
        db.Competitions.Where(c => c.Id == competitionId).ExecuteUpdateAsync(u => u.SetProperty(c => c.Revision, c => c.Revision + 1), ct);
}
