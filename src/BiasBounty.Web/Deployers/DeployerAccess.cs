using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Deployers;

/// <summary>
/// Who is a deployer of what: a user whose confirmed e-mail an organizer invited to a competition (the role is per
/// competition). A deployer reaches only their own uploads and reports; every query of them filters by owner.
/// </summary>
public static class DeployerAccess
{
    /// <summary>The competitions (not drafts) the user is a deployer of.</summary>
    public static IQueryable<Competition> DeployedBy(this ApplicationDbContext db, string userId) =>
        db.Competitions.Public().Where(c => db.DeployerInvitations.Any(i => i.CompetitionId == c.Id
            && db.Users.Any(u => u.Id == userId && u.EmailConfirmed && u.NormalizedEmail == i.NormalizedEmail)));

    /// <summary>The competition of <paramref name="slug"/> if the user is one of its deployers, else null.</summary>
    public static Task<Competition?> CompetitionAsync(ApplicationDbContext db, string slug, string userId, CancellationToken ct = default) =>
        db.DeployedBy(userId).AsNoTracking().SingleOrDefaultAsync(c => c.Slug == slug, ct);

    /// <summary>The user's own replay of <paramref name="runId"/> (null for anyone else's: a 404, never a 403 that confirms it exists).</summary>
    public static Task<ReplayRun?> OwnRunAsync(ApplicationDbContext db, Guid runId, string userId, CancellationToken ct = default) =>
        db.ReplayRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.OwnerId == userId, ct);
}
