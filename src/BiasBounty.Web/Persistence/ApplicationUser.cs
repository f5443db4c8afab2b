using Microsoft.AspNetCore.Identity;

namespace BiasBounty.Web.Persistence;

public class ApplicationUser : IdentityUser
{
    /// <summary>Shown on teams and the leaderboard instead of the e-mail address.</summary>
    [PersonalData]
    public string? DisplayName { get; set; }

    /// <summary>
    /// Set on an account created with a one-time password (the demo organizer): until the password is changed, every
    /// page redirects to the change-password page (<c>Accounts/FirstSignIn</c>).
    /// </summary>
    public bool MustChangePassword { get; set; }
}
