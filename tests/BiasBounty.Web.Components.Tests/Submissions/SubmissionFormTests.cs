using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Submissions;
using Microsoft.AspNetCore.Components.Forms;

namespace BiasBounty.Web.Components.Tests.Submissions;

public sealed class SubmissionFormTests : BunitContext
{
    public SubmissionFormTests() => SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

    private readonly List<(string Expression, Metric Metric, UploadedFix? Fix)> _submitted = [];

    private static SubmitContext Options(Quota quota, long maxModelBytes = 1024, bool open = true) =>
        new(Guid.NewGuid(), "demo", "Demo", open, Metric.Error, SubmitEntry.MetricsFor(Metric.Error), maxModelBytes, quota, TinyData.Public);

    private IRenderedComponent<SubmissionForm> RenderForm(SubmitContext options, Func<UploadedFix, string?>? checkFix = null, SubmitResult? answer = null) =>
        Render<SubmissionForm>(p => p
            .Add(x => x.Options, options)
            .Add(x => x.CheckExpression, text => SubmitEntry.CheckExpression(TinyData.Public, text))
            .Add(x => x.CheckFix, checkFix ?? (_ => null))
            .Add(x => x.Debounce, TimeSpan.FromMilliseconds(5))
            .Add(x => x.Submit, (expression, metric, fix) =>
            {
                _submitted.Add((expression, metric, fix));
                return Task.FromResult(answer ?? new SubmitResult(Guid.NewGuid(), new Dictionary<string, string>()));
            }));

    [Fact]
    public void Form_ShowsWhenTheQuotaResets_AndWhatUsesIt()
    {
        var cut = RenderForm(Options(Quota.NextReset(DateTimeOffset.Parse("2026-12-02T09:30:00Z")) is var reset ? new Quota(5, 2) { ResetsAt = reset } : null!));

        Assert.Equal("3 of 5 submissions left today; the count resets at 2026-12-03 00:00 UTC", cut.Find("[data-testid=quota]").TextContent);
        Assert.Contains("are free", cut.Find("[data-testid=quota-rule]").TextContent);
        Assert.Equal("help/verdicts#quota", cut.Find("[data-testid=quota-rule] a").GetAttribute("href"));
    }

    [Fact]
    public void Form_ShowsThePlaceholderQuotes_EscapedOnce()
    {
        var cut = RenderForm(Options(new Quota(5, 0)));

        Assert.Equal("e.g. age >= 60 and sex == \"Female\"", cut.Find("[data-testid=expression]").GetAttribute("placeholder"));
        Assert.DoesNotContain("&amp;quot;", cut.Markup);
    }

    [Fact]
    public void Form_WarnsBeforeSubmitting_WhenTheGroupIsLikelyTooSmallOnTheHoldout()
    {
        var rule = new GroupSizeRule(MinGroupRows: 100, MinGroupShare: 0.001, FeedbackShare: 0.4);
        var cut = Render<SubmissionForm>(p => p
            .Add(x => x.Options, Options(new Quota(5, 0)))
            .Add(x => x.CheckExpression, text => SubmitEntry.CheckExpression(TinyData.Public, text, rule))
            .Add(x => x.CheckFix, _ => null)
            .Add(x => x.Debounce, TimeSpan.FromMilliseconds(5))
            .Add(x => x.Submit, (_, _, _) => Task.FromResult(new SubmitResult(Guid.NewGuid(), new Dictionary<string, string>()))));

        cut.Find("[data-testid=expression]").Input("age >= 60");

        cut.WaitForAssertion(() => Assert.Contains("Likely too small to be scored", cut.Find("[data-testid=expression-warning]").TextContent));
        Assert.DoesNotContain("✔", cut.Find("[data-testid=expression-status]").TextContent);
        Assert.DoesNotContain("is-valid", cut.Find("[data-testid=expression]").ClassList);
    }

    [Fact]
    public void Form_ShowsTheRemainingQuota_AndTheCompetitionsMetricFirst()
    {
        var cut = RenderForm(Options(new Quota(5, 2)));

        Assert.Equal("3 of 5 submissions left today (UTC)", cut.Find("[data-testid=quota]").TextContent);
        Assert.False(cut.Find("[data-testid=submit]").HasAttribute("disabled"));
        Assert.Equal(["Error", "Fpr", "Fnr"], cut.FindAll("[data-testid=metric] option").Select(o => o.GetAttribute("value")));
    }

    [Fact]
    public void Form_OnAnEvaluationTable_OffersNoFixUpload_AndSaysWhy()
    {
        var options = new SubmitContext(Guid.NewGuid(), "speech", "Speech", true, Metric.Wer, SubmitEntry.MetricsFor(Metric.Wer), 1024,
            new Quota(5, 0), TinyData.Public);

        var cut = RenderForm(options);

        Assert.Empty(cut.FindAll("[data-testid=fix-upload]"));
        Assert.Contains("takes findings only", cut.Find("[data-testid=findings-only]").TextContent);
        Assert.Contains("word error rate", cut.Find("[data-testid=findings-only]").TextContent);
    }

    [Fact]
    public void Form_KeepsItsControlsDisabled_UntilTheCircuitIsInteractive()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));

        var cut = RenderForm(Options(new Quota(5, 0)));

        Assert.All(cut.FindAll("[data-testid=expression], [data-testid=fix-upload], [data-testid=metric], [data-testid=submit]"),
            element => Assert.True(element.HasAttribute("disabled"), element.GetAttribute("data-testid")));
    }

    [Fact]
    public void Form_DisablesSubmit_WhenTheQuotaIsExhausted()
    {
        var cut = RenderForm(Options(new Quota(5, 5)));

        Assert.Contains("0 of 5", cut.Find("[data-testid=quota]").TextContent);
        Assert.True(cut.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void Form_DisablesSubmit_WhenTheCompetitionIsNotOpen()
    {
        var cut = RenderForm(Options(new Quota(5, 0), open: false));

        Assert.True(cut.Find("[data-testid=submit]").HasAttribute("disabled"));
        Assert.Contains("not open", cut.Markup);
    }

    [Fact]
    public void Form_RefusesAFileLargerThanTheLimit_WithoutCheckingIt()
    {
        var checkedFiles = 0;
        var cut = RenderForm(Options(new Quota(5, 0), maxModelBytes: 100), _ => { checkedFiles++; return null; });

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[300], "big.onnx"));

        cut.WaitForAssertion(() => Assert.Contains("the limit is", cut.Find("[data-testid=fix-status]").TextContent));
        Assert.Equal(0, checkedFiles);
        Assert.True(cut.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void Form_ShowsTheEnginesMessage_WhenTheModelIsRefused()
    {
        var cut = RenderForm(Options(new Quota(5, 0)), _ => "the model is not a valid ONNX file");

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([1, 2, 3], "bad.onnx"));

        cut.WaitForAssertion(() => Assert.Contains("not a valid ONNX file", cut.Find("[data-testid=fix-status]").TextContent));
        Assert.True(cut.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Form_SubmitsExpressionMetricAndCheckedFix()
    {
        var cut = RenderForm(Options(new Quota(5, 0)));
        cut.Find("[data-testid=expression]").Input("age >= 60");
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([7, 7], "fix.onnx"));
        cut.WaitForAssertion(() => Assert.Contains("fix.onnx", cut.Find("[data-testid=fix-status]").TextContent));
        cut.WaitForAssertion(() => Assert.Contains("rows", cut.Find("[data-testid=expression-status]").TextContent));
        await cut.Find("[data-testid=metric]").ChangeAsync(new ChangeEventArgs { Value = "Error" });

        await cut.WaitForElement("[data-testid=submit]:not([disabled])").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Single(_submitted));
        var (expression, metric, fix) = _submitted[0];
        Assert.Equal(("age >= 60", Metric.Error), (expression, metric));
        Assert.Equal([7, 7], fix!.Content);
    }

    [Fact]
    public async Task Form_DisablesSubmit_WhenAFixIsSentOnAnotherMetric()
    {
        var cut = RenderForm(Options(new Quota(5, 0)));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([7, 7], "fix.onnx"));
        cut.WaitForAssertion(() => Assert.Contains("fix.onnx", cut.Find("[data-testid=fix-status]").TextContent));

        await cut.Find("[data-testid=metric]").ChangeAsync(new ChangeEventArgs { Value = "Fpr" });

        Assert.Contains("judged on the competition's metric (error)", cut.Find("[data-testid=metric-hint]").TextContent);
        Assert.True(cut.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Form_ShowsEachServerMessageBesideItsField()
    {
        var cut = RenderForm(Options(new Quota(5, 0)), answer: new SubmitResult(null, new Dictionary<string, string>
        {
            [SubmitEntry.Fields.Expression] = "column 3: unknown column 'x'",
            [SubmitEntry.Fields.Quota] = "Your team has used its 5 submissions for today",
        }));

        await cut.Find("[data-testid=submit]").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("unknown column 'x'", cut.Find("[data-testid=error-expression]").TextContent);
            Assert.Contains("used its 5", cut.Find("[data-testid=error-quota]").TextContent);
        });
    }
}
