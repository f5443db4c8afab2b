using System.Security.Claims;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.OrganizerShell;

/// <summary>
/// Who may see a competition's organizer pages: its organizer, and every admin. Every organizer page and export also
/// requires the <see cref="Roles.StaffPolicy"/> policy (organizers and admins).
/// </summary>
public static class OrganizerAccess
{
    /// <summary>The competitions <paramref name="user"/> organizes (all of them for an admin).</summary>
    public static IQueryable<Competition> OrganizedBy(this IQueryable<Competition> competitions, ClaimsPrincipal user)
    {
        if (user.IsInRole(Accounts.Roles.Admin)) return competitions;
        var id = user.UserId();
        return id is null ? competitions.Where(_ => false) : competitions.Where(c => c.OrganizerId == id);
    }
}
