using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Tests.Leaderboard;

public sealed class LeaderboardOptionsTests
{
    /// <summary>The platform with one bad leaderboard setting (and no demo, which start-up would otherwise train first).</summary>
    private sealed class BadSettingPlatform(string key, string value) : PlatformFactory
    {
        public override bool Demo => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting(key, value);
        }
    }

    [Theory]
    [InlineData("PollInterval", "00:00:00")]
    [InlineData("Heartbeat", "01:00:00")]
    public async Task ABadValue_StopsStartUp_WithAMessageNamingTheKey(string setting, string value)
    {
        var key = "BiasBounty:Leaderboard:" + setting;
        var platform = new BadSettingPlatform(key, value);
        try
        {
            var error = await Record.ExceptionAsync(platform.InitializeAsync);

            Assert.NotNull(error);
            var validation = Assert.IsType<OptionsValidationException>(Innermost<OptionsValidationException>(error));
            Assert.Contains($"{key} must be between", validation.Message);
        }
        finally
        {
            await ((IAsyncLifetime)platform).DisposeAsync();
        }
    }

    private static Exception? Innermost<T>(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is T) return e;
        return null;
    }
}
