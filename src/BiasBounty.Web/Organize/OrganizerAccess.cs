using System.Security.Claims;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Organize;

/// <summary>Who may see a competition's organizer pages: its organizer, and every admin.</summary>
public static class OrganizerAccess
{
    /// <summary>For <c>[Authorize(Roles = ...)]</c> on the organizer pages.</summary>
    public const string Roles = Accounts.Roles.Organizer + "," + Accounts.Roles.Admin;

    public static string? UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>The competitions <paramref name="user"/> organizes (all of them for an admin).</summary>
    public static IQueryable<Competition> OrganizedBy(this IQueryable<Competition> competitions, ClaimsPrincipal user)
    {
        if (user.IsInRole(Accounts.Roles.Admin)) return competitions;
        var id = user.UserId();
        return id is null ? competitions.Where(_ => false) : competitions.Where(c => c.OrganizerId == id);
    }
}
