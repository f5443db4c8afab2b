using BiasBounty.Scoring.Discovery;
using BiasBounty.Web.Organize;

namespace BiasBounty.Web.Components.Tests.Organize;

public sealed class PreflightAuditViewTests : BunitContext
{
    private static DiscoveredGroup Group(string expression, int rows, double groupRate, double restRate, double adjustedP) =>
        new(expression, 1, rows, groupRate, restRate, 0.01, rows, (int)(rows * groupRate), rows / 2000.0, groupRate, restRate,
            groupRate - restRate, rows / 2000.0 * (groupRate - restRate), "pooled z", adjustedP / 3, adjustedP, true);

    private static PreflightAudit Audit(params DiscoveredGroup[] groups) => new(groups, 4_000, 2_000, 0.12, 3, TimeSpan.FromSeconds(1.24));

    [Fact]
    public void Groups_AreRowsWithThePasteableExpression_TheNumbers_AndTheNotOnTheHoldoutLabel()
    {
        var cut = Render<PreflightAuditView>(p => p
            .Add(x => x.Audit, Audit(Group("region == \"east\"", 500, 0.482, 0.031, 1e-9), Group("age >= 60 and region == \"north\"", 120, 0.2, 0.1, 0.0123)))
            .Add(x => x.Measure, "error"));

        Assert.StartsWith("Groups where your base model already does worse on your public training data. A bounty pays for finding groups like these; consider fixing them before you open.",
            Normalise(cut.Find("[data-testid=preflight-audit] p").TextContent));
        var table = cut.Find("table[data-testid=preflight-groups]");
        Assert.Contains("stack-on-phone", table.ClassList);
        var rows = cut.FindAll("tr[data-testid=preflight-group]");
        Assert.Equal(2, rows.Count);
        var first = rows[0].QuerySelectorAll("td");
        Assert.Equal("region == \"east\"", first[0].QuerySelector("code")!.TextContent);
        Assert.Equal("500 (25.0 %)", first[1].TextContent);
        Assert.Equal("48.2 %", first[2].TextContent);
        Assert.Equal("3.1 %", first[3].TextContent);
        Assert.Equal("+45.1 points", first[4].TextContent);
        Assert.Equal("< 0.0001", first[5].TextContent);
        Assert.Equal("0.0123", rows[1].QuerySelectorAll("td")[5].TextContent);
        // Every cell but the expression says what it is when the table stacks on a phone.
        Assert.All(rows.SelectMany(r => r.QuerySelectorAll("td")), td => Assert.False(string.IsNullOrEmpty(td.GetAttribute("data-label"))));
        Assert.Equal(["group", "rows", "error in group", "error elsewhere", "gap", "p-value (Holm)"], first.Select(td => td.GetAttribute("data-label")));
        Assert.Equal("on the public training data, not on the holdout", cut.Find("[data-testid=preflight-label]").TextContent);
        Assert.Contains("not on the holdout", cut.Find("[data-testid=preflight-method]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=preflight-none]"));
    }

    [Fact]
    public void NoGroup_IsThePlainSentence_WithoutATable()
    {
        var cut = Render<PreflightAuditView>(p => p.Add(x => x.Audit, Audit()));

        Assert.Empty(cut.FindAll("table"));
        Assert.Equal("No group with a clear gap survived confirmation on the public data. That does not mean there is none in the holdout.",
            Normalise(cut.Find("[data-testid=preflight-none]").TextContent));
        Assert.Contains("not on the holdout", cut.Find("[data-testid=preflight-method]").TextContent);
    }

    [Fact]
    public void Running_Unavailable_AndAProblem_AreSaidInPlainWords()
    {
        Assert.NotNull(Render<PreflightAuditView>(p => p.Add(x => x.Running, true)).Find("[data-testid=preflight-running][role=status]"));
        Assert.Equal("offered for model competitions only",
            Render<PreflightAuditView>(p => p.Add(x => x.Unavailable, "offered for model competitions only")).Find("[data-testid=preflight-unavailable]").TextContent);
        Assert.Equal("It failed.", Render<PreflightAuditView>(p => p.Add(x => x.Problem, "It failed.")).Find("[role=alert]").TextContent);
    }

    private static string Normalise(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
