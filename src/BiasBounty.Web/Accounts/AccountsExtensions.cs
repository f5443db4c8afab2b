using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Accounts;
public static class AccountsExtensions
{
    public static IHostApplicationBuilder AddIdentityServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.StaffPolicy, policy => policy.RequireRole(Roles.Organizer, Roles.Admin));

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
                options.Lockout.MaxFailedAccessAttempts = 5;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddUserManager<FirstSignIn.Users>()
            .AddClaimsPrincipalFactory<FirstSignIn.ClaimsFactory>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddScoped<IEmailSender<ApplicationUser>, OutboxEmailSender>();
        // Every role may deliver: the outbox rows are claimed with SKIP LOCKED, so several processes do not double-send.
        builder.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section);
        services.AddHostedService<SmtpOutboxDelivery>();
        services.AddScoped<IStartupStep, SeedRoles>();
        return builder;
    }

    /// <summary>Creates the three roles when they are missing.</summary>
    private sealed class SeedRoles(RoleManager<IdentityRole> roles) : IStartupStep
    {
        public async Task RunAsync(CancellationToken ct)
        {
            foreach (var role in Roles.All)
                if (!await roles.RoleExistsAsync(role))
                    await roles.CreateAsync(new IdentityRole(role));
        }
    }
}
