using BiasBounty.Web.Api;
using Microsoft.AspNetCore.Components;

namespace BiasBounty.Web.Components.Tests.Api;

public sealed class TokenListTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public TokenListTests() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));

    private static ApiTokenView Token(string name, DateTimeOffset? lastUsed = null, DateTimeOffset? expires = null, DateTimeOffset? revoked = null) =>
        new(Guid.NewGuid(), name, "0123456789ab", Now.AddDays(-3), lastUsed, expires ?? Now.AddDays(27), revoked);

    [Fact]
    public void EachToken_ShowsItsNameAndPublicPrefixOnly_WithDatesInUtc()
    {
        var cut = Render<TokenList>(p => p.Add(x => x.Tokens, [Token("laptop", lastUsed: Now.AddHours(-1))]).Add(x => x.Now, Now));

        var row = cut.Find("tr[data-testid=token-row]");
        Assert.Equal("laptop", row.QuerySelector(".token-name")!.TextContent);
        Assert.Equal("bb_0123456789ab_…", row.QuerySelector(".token-prefix")!.TextContent);
        Assert.Equal("2026-11-25 11:00 UTC", row.QuerySelector(".token-last-used")!.TextContent);
        Assert.Equal("2026-12-22 12:00 UTC", row.QuerySelector(".token-expires")!.TextContent);
    }

    [Fact]
    public void OnlyActiveTokens_CanBeRevoked_OthersSayWhy()
    {
        var active = Token("active");
        ApiTokenView? revoked = null;
        var cut = Render<TokenList>(p => p
            .Add(x => x.Tokens, [active, Token("old", expires: Now.AddMinutes(-1)), Token("gone", revoked: Now.AddDays(-1))])
            .Add(x => x.Now, Now)
            .Add(x => x.OnRevoke, (ApiTokenView t) => revoked = t));

        var states = cut.FindAll("td.token-state").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["Revoke", "expired", "revoked"], states);
        Assert.Equal("never", cut.FindAll(".token-last-used")[0].TextContent);

        cut.Find("button[data-testid=revoke]").Click();
        Assert.Same(active, revoked);
    }

    [Fact]
    public void NoTokens_SaysSo()
    {
        var cut = Render<TokenList>(p => p.Add(x => x.Tokens, Array.Empty<ApiTokenView>()).Add(x => x.Now, Now));

        Assert.NotNull(cut.Find("[data-testid=no-tokens]"));
        Assert.Empty(cut.FindAll("table"));
    }
}
