using System.Security.Claims;

namespace BiasBounty.Web.Accounts;

public static class UserClaims
{
    /// <summary>The signed-in user's id (Identity's name-identifier claim); null when signed out.</summary>
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);
}
