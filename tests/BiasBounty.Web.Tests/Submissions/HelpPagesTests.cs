using System.Net;
using BiasBounty.Web.Tests.Infrastructure;

namespace BiasBounty.Web.Tests.Submissions;

/// <summary>Issue 11: the plain-words help on verdicts and points, open to everyone.</summary>
public sealed class HelpPagesTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData("/help/verdicts", "pp (percentage points)")]
    [InlineData("/help/verdicts", "confirmation part")]
    [InlineData("/help/verdicts", "resets at midnight UTC")]
    [InlineData("/help/points", "points = 10,000 × μ × Δ")]
    [InlineData("/help/points", "points = finding weight × 10,000 × share × gap")]
    [InlineData("/help/points", "First-found credit")]
    public async Task HelpPage_IsPublic_AndExplains(string path, string text)
    {
        var response = await platform.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(text, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }
}
