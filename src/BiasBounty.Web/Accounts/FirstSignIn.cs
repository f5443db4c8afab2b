using System.Security.Claims;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Accounts;

/// <summary>
/// An account with a one-time password (<see cref="ApplicationUser.MustChangePassword"/>) must choose its own before it
/// does anything else: its sign-in carries <see cref="ClaimType"/>, and every page request redirects to the
/// change-password page until the password is changed (or reset), which clears the flag and, on the refreshed sign-in,
/// the claim.
/// </summary>
public static class FirstSignIn
{
    public const string ClaimType = "biasbounty:must-change-password";

    public const string ChangePasswordPath = "/Account/Manage/ChangePassword";

    /// <summary>Paths a user who must change the password may still reach: the form itself, signing out, the framework's files.</summary>
    private static readonly string[] Allowed = [ChangePasswordPath, "/Account/Logout", "/Account/Manage/SetPassword", "/_framework", "/_blazor", "/_content", "/lib", "/health"];

    public static bool MustChangePassword(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == ClaimType);

    /// <summary>After authentication: sends a user who must change the password to the change-password page.</summary>
    public static IApplicationBuilder UseFirstSignInPasswordChange(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (context.User.MustChangePassword()
                && !Allowed.Any(a => path.StartsWithSegments(a, StringComparison.OrdinalIgnoreCase))
                && !Path.HasExtension(path.Value))
            {
                context.Response.Redirect(ChangePasswordPath);
                return;
            }
            await next(context);
        });

    /// <summary>Adds <see cref="ClaimType"/> to the sign-in of an account that must change its password.</summary>
    internal sealed class ClaimsFactory(UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
        : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
    {
        protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
        {
            var identity = await base.GenerateClaimsAsync(user);
            if (user.MustChangePassword) identity.AddClaim(new Claim(ClaimType, "true"));
            return identity;
        }
    }

    /// <summary>Clears <see cref="ApplicationUser.MustChangePassword"/> when the password is changed or reset.</summary>
    internal sealed class Users(IUserStore<ApplicationUser> store, IOptions<IdentityOptions> options, IPasswordHasher<ApplicationUser> hasher,
        IEnumerable<IUserValidator<ApplicationUser>> userValidators, IEnumerable<IPasswordValidator<ApplicationUser>> passwordValidators,
        ILookupNormalizer normalizer, IdentityErrorDescriber errors, IServiceProvider services, ILogger<UserManager<ApplicationUser>> logger)
        : UserManager<ApplicationUser>(store, options, hasher, userValidators, passwordValidators, normalizer, errors, services, logger)
    {
        public override Task<IdentityResult> ChangePasswordAsync(ApplicationUser user, string currentPassword, string newPassword) =>
            Clearing(user, () => base.ChangePasswordAsync(user, currentPassword, newPassword));

        public override Task<IdentityResult> ResetPasswordAsync(ApplicationUser user, string token, string newPassword) =>
            Clearing(user, () => base.ResetPasswordAsync(user, token, newPassword));

        private static async Task<IdentityResult> Clearing(ApplicationUser user, Func<Task<IdentityResult>> change)
        {
            ArgumentNullException.ThrowIfNull(user);
            var before = user.MustChangePassword;
            user.MustChangePassword = false; // saved with the new password hash, in the same update
            var result = await change();
            if (!result.Succeeded) user.MustChangePassword = before;
            return result;
        }
    }
}
