using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Components.Tests.Submissions;

public sealed class ExpressionEditorTests : BunitContext
{
    public ExpressionEditorTests() => SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

    private static ExpressionCheck RealCheck(string text) => SubmitEntry.CheckExpression(TinyData.Public, text);

    private IRenderedComponent<ExpressionEditor> RenderEditor(Func<string, ExpressionCheck> check, int debounceMs = 10) =>
        Render<ExpressionEditor>(p => p.Add(x => x.Check, check).Add(x => x.Debounce, TimeSpan.FromMilliseconds(debounceMs)));

    [Fact]
    public void Editor_ShowsTheGroupsSizeOnThePublicData_WhenTheExpressionIsValid()
    {
        var cut = RenderEditor(RealCheck);

        cut.Find("[data-testid=expression]").Input("age >= 60");

        cut.WaitForAssertion(() => Assert.Equal("✔ 3 of 10 rows of the public training data are in this group.",
            cut.Find("[data-testid=expression-status]").TextContent.Trim()));
    }

    [Fact]
    public void Editor_TellsAssistiveTechnology_WhereTheMessageIsAndWhetherTheGroupIsValid()
    {
        var cut = RenderEditor(RealCheck);
        var box = cut.Find("[data-testid=expression]");
        Assert.Equal("expression-status", box.GetAttribute("aria-describedby"));
        Assert.Equal("expression-status", cut.Find("[data-testid=expression-status]").Id);
        Assert.Equal("false", box.GetAttribute("aria-invalid"));

        box.Input("agee >= 60");
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=expression]").GetAttribute("aria-invalid")));

        cut.Find("[data-testid=expression]").Input("age >= 60");
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=expression]").GetAttribute("aria-invalid")));
    }

    [Fact]
    public void Editor_ShowsTheEnginesMessage_WhenTheColumnIsUnknown()
    {
        var cut = RenderEditor(RealCheck);

        cut.Find("[data-testid=expression]").Input("agee >= 60");

        cut.WaitForAssertion(() =>
        {
            var status = cut.Find("[data-testid=expression-status]").TextContent;
            Assert.Contains("column 1: unknown column 'agee'", status);
            Assert.DoesNotContain("rows", status);
        });
    }

    [Fact]
    public void Editor_ShowsTheEnginesMessage_WhenTheValueIsNotInThePublicData()
    {
        var cut = RenderEditor(RealCheck);

        cut.Find("[data-testid=expression]").Input("sex == \"Femal\"");

        cut.WaitForAssertion(() => Assert.Contains("is not a value of sex", cut.Find("[data-testid=expression-status]").TextContent));
    }

    [Fact]
    public void Editor_ChecksOnlyTheLastText_WhenTypingFasterThanTheDebounce()
    {
        var checkedTexts = new List<string>();
        var cut = RenderEditor(text => { lock (checkedTexts) checkedTexts.Add(text); return RealCheck(text); }, debounceMs: 300);
        foreach (var text in new[] { "a", "ag", "age > 50" }) Type(cut, text);

        Assert.Contains("checking", cut.Find("[data-testid=expression-status]").TextContent);
        cut.WaitForAssertion(() => Assert.Contains("rows", cut.Find("[data-testid=expression-status]").TextContent), TimeSpan.FromSeconds(3));
        Assert.Equal(["age > 50"], checkedTexts);
    }

    /// <summary>
    /// Types into the box. A superseded keystroke's handler finishes on its own and re-renders the box with a new
    /// handler id; finding the box and typing on the renderer's own thread keeps that re-render from landing between
    /// the two (bUnit records a keystroke sent to a stale handler id and fails the test later, even when it is caught).
    /// </summary>
    private static void Type(IRenderedComponent<ExpressionEditor> cut, string text) =>
        cut.InvokeAsync(() => cut.Find("[data-testid=expression]").Input(text)).GetAwaiter().GetResult();
}
