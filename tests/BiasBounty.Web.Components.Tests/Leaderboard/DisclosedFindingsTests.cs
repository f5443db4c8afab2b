using BiasBounty.Web.Leaderboard;

namespace BiasBounty.Web.Components.Tests.Leaderboard;

public sealed class DisclosedFindingsTests : BunitContext
{
    private static readonly DisclosedFinding[] Findings =
    [
        new("age > 60 and sex == \"Female\"", ["age", "sex"], "Alpha", "100–999 rows", 31.2, "> 10 pp", 24.0, "5–10 pp", new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero)),
        new("hours-per-week < 20", ["hours-per-week"], "Bravo", "1,000–9,999 rows", 22.5, "2–5 pp", null, null, new(2026, 11, 19, 0, 0, 0, TimeSpan.Zero)),
    ];

    private IRenderedComponent<DisclosedFindings> RenderWith(string? q = null, string? feature = null) =>
        Render<DisclosedFindings>(p => p.Add(x => x.Findings, Findings).Add(x => x.Filter, FindingsFilter.From(q, feature)).Add(x => x.Action, "competitions/demo/leaderboard"));

    [Fact]
    public void EachFinding_ShowsExpression_SizeBand_ErrorsBeforeAndAfter_AndTheFinder()
    {
        var cut = RenderWith();

        var first = cut.FindAll("article[data-testid='disclosed-finding']")[0];
        Assert.Equal("age > 60 and sex == \"Female\"", first.QuerySelector("code.expression")!.TextContent);
        Assert.Equal("100–999 rows", first.QuerySelector(".size-band")!.TextContent);
        Assert.Equal("31.2 % (gap to the rest: > 10 pp)", first.QuerySelector(".error-before")!.TextContent);
        Assert.Equal("24.0 % (improvement: 5–10 pp)", first.QuerySelector(".error-after")!.TextContent);
        Assert.Equal("Alpha", first.QuerySelector(".finder")!.TextContent);
        Assert.Equal("no accepted fix", cut.FindAll("article .error-after")[1].TextContent);
    }

    [Fact]
    public void Form_IsAGetFormOnThePage_WithTheColumnsOfTheFindingsAsOptions()
    {
        var cut = RenderWith(q: "Bra", feature: "sex");

        var form = cut.Find("form");
        Assert.Equal("get", form.GetAttribute("method"));
        Assert.Equal("competitions/demo/leaderboard", form.GetAttribute("action"));
        Assert.Equal("Bra", cut.Find("input[data-testid='findings-search']").GetAttribute("value"));
        Assert.Equal(["", "age", "hours-per-week", "sex"], cut.FindAll("select[data-testid='findings-feature'] option").Select(o => o.GetAttribute("value")));
        Assert.True(cut.Find("option[value='sex']").HasAttribute("selected"));
        Assert.NotNull(cut.Find("button[data-testid='findings-apply']"));
    }

    [Theory]
    [InlineData("AGE > 60", null, "Alpha")]
    [InlineData("bravo", null, "Bravo")]
    [InlineData(null, "hours-per-week", "Bravo")]
    [InlineData("alpha", "sex", "Alpha")]
    public void SearchAndFeature_Filter(string? q, string? feature, string finder)
    {
        var cut = RenderWith(q, feature);

        Assert.Equal([finder], cut.FindAll("article .finder").Select(f => f.TextContent));
    }

    [Fact]
    public void NoMatch_ShowsTheEmptyMessage()
    {
        var cut = RenderWith(q: "alpha", feature: "hours-per-week");

        Assert.Empty(cut.FindAll("article"));
        Assert.Equal("No disclosed finding matches.", cut.Find("[data-testid='no-disclosed-findings']").TextContent.Trim());
    }

    private static DisclosedFinding[] Many(int count) => Enumerable.Range(0, count)
        .Select(i => new DisclosedFinding($"age > {i}", ["age"], i % 2 == 0 ? "Even" : "Odd", "100–999 rows", 30, null, null, null,
            new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).AddHours(-i)))
        .ToArray();

    [Fact]
    public void MoreThanAPage_IsPaged_WithLinksThatKeepTheSearch()
    {
        var cut = Render<DisclosedFindings>(p => p.Add(x => x.Findings, Many(60)).Add(x => x.Filter, FindingsFilter.From(null, "age", "2"))
            .Add(x => x.Action, "competitions/demo/leaderboard"));

        Assert.Equal(Enumerable.Range(25, 25).Select(i => $"age > {i}"), cut.FindAll("article code.expression").Select(c => c.TextContent));
        Assert.Equal("Findings 26–50 of 60 matching, most recently disclosed first (60 disclosed).", cut.Find("[data-testid='findings-count']").TextContent.Trim());
        Assert.Equal("competitions/demo/leaderboard?feature=age#disclosed-heading", cut.Find("a[data-testid='findings-newer']").GetAttribute("href"));
        Assert.Equal("competitions/demo/leaderboard?feature=age&page=3#disclosed-heading", cut.Find("a[data-testid='findings-older']").GetAttribute("href"));
    }

    [Theory]
    [InlineData("99", "age > 50")] // past the end: the last page
    [InlineData("abc", "age > 0")] // not a number: the first page
    [InlineData("-1", "age > 0")]
    public void AnOutOfRangeOrMalformedPage_ShowsTheNearestPage(string page, string firstShown)
    {
        var cut = Render<DisclosedFindings>(p => p.Add(x => x.Findings, Many(60)).Add(x => x.Filter, FindingsFilter.From(null, null, page))
            .Add(x => x.Action, "competitions/demo/leaderboard"));

        Assert.Equal(firstShown, cut.FindAll("article code.expression")[0].TextContent);
    }

    [Fact]
    public void OnePage_HasNoPager()
    {
        Assert.Empty(RenderWith().FindAll("[data-testid='findings-pager']"));
    }
}
