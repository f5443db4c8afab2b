using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Persistence;

public sealed class SharedKeyRingTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task AnotherProcessOnTheSameDatabase_ReadsWhatThePlatformProtected()
    {
        // What a sign-in cookie or an e-mailed link carries, protected by the running platform.
        var protectedText = platform.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test.purpose").Protect("team invite 42");

        // A second process: its own service provider, nothing shared but the database (as a second web pod).
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<ApplicationDbContext>(o => o.UseNpgsql(platform.ConnectionString)
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        services.AddDataProtection().PersistKeysToDbContext<ApplicationDbContext>().SetApplicationName(PersistenceExtensions.DataProtectionApplicationName);
        await using var other = services.BuildServiceProvider();

        var read = other.GetRequiredService<IDataProtectionProvider>().CreateProtector("test.purpose").Unprotect(protectedText);

        Assert.Equal("team invite 42", read);
        await using var scope = platform.Scope();
        Assert.True(await platform.NewDb(scope).DataProtectionKeys.AnyAsync());
    }
}
