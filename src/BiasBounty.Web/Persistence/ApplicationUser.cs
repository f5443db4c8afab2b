using Microsoft.AspNetCore.Identity;

namespace BiasBounty.Web.Persistence;

public class ApplicationUser : IdentityUser
{
    /// <summary>Shown on teams and the leaderboard instead of the e-mail address.</summary>
    [PersonalData]
    public string? DisplayName { get; set; }
}
