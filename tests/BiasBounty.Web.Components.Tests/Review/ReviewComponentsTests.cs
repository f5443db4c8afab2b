using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;

namespace BiasBounty.Web.Components.Tests.Review;

/// <summary>The triage row, the disclosure state and the near-duplicate comparison, rendered on their own.</summary>
public sealed class ReviewComponentsTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static TriageRowModel Row(bool nearDuplicate = false, double? points = 2.5, TriageState triage = TriageState.NeedsMoreInfo) =>
        new(Guid.Parse("0192a000-0000-7000-8000-000000000001"), Guid.NewGuid(), "Careful <readers>", "age > 60 & sex == \"Female\"",
            SubmissionState.Scored, triage, points, nearDuplicate, Now);

    private IRenderedComponent<TriageRow> RenderRow(TriageRowModel row, bool selected = false, Action<bool>? changed = null) =>
        Render<TriageRow>(p => p.Add(x => x.Row, row).Add(x => x.Slug, "demo").Add(x => x.Selected, selected)
            .Add(x => x.SelectedChanged, on => changed?.Invoke(on)));

    [Fact]
    public void TriageRow_ShowsTeamGroupStateAndPoints_InTheContractsCells()
    {
        var cut = RenderRow(Row());

        var tr = cut.Find("tr[data-testid=triage-row]");
        Assert.Equal("0192a000-0000-7000-8000-000000000001", tr.GetAttribute("data-submission-id"));
        Assert.Equal("Careful <readers>", cut.Find("td.team").TextContent);
        Assert.Equal("age > 60 & sex == \"Female\"", cut.Find("code.expression").TextContent);
        Assert.Equal("Needs more info", cut.Find("td.triage-state").TextContent);
        Assert.Equal("2.5", cut.Find("td.points").TextContent);
        Assert.Equal("organize/demo/submissions/0192a000-0000-7000-8000-000000000001", cut.Find("a.review").GetAttribute("href"));
        Assert.Empty(cut.FindAll(".near-duplicate-flag"));
    }

    [Fact]
    public void TriageRow_FlagsANearDuplicate_AndShowsADashWithoutPoints()
    {
        var cut = RenderRow(Row(nearDuplicate: true, points: null));

        Assert.Equal("near duplicate", cut.Find(".near-duplicate-flag").TextContent);
        Assert.Equal("—", cut.Find("td.points").TextContent);
    }

    [Fact]
    public void TriageRow_ReportsItsCheckbox()
    {
        var changes = new List<bool>();
        var cut = RenderRow(Row(), changed: changes.Add);

        cut.Find("input[data-testid=select-submission]").Change(true);
        cut.Find("input[data-testid=select-submission]").Change(false);

        Assert.Equal([true, false], changes);
    }

    [Theory]
    [InlineData(TriageState.Approved, "2026-11-20T08:30:00Z", null, "public since 2026-11-20 08:30 UTC")]
    [InlineData(TriageState.Approved, "2026-11-25T12:00:00Z", null, "public since 2026-11-25 12:00 UTC")]
    [InlineData(TriageState.Approved, "2026-12-25T12:00:00Z", null, "embargoed until 2026-12-25 12:00 UTC")]
    [InlineData(TriageState.Approved, null, "The vendor is patching.", "withheld: The vendor is patching.")]
    [InlineData(TriageState.Scored, null, null, "not disclosed: only approved findings are disclosed")]
    [InlineData(TriageState.Disqualified, "2026-11-20T08:30:00Z", null, "not disclosed: only approved findings are disclosed")]
    public void DisclosureState_SaysWhereTheFindingStandsWithThePublic(TriageState triage, string? discloseAt, string? withheld, string expected)
    {
        var cut = Render<DisclosureStatus>(p => p.Add(x => x.Triage, triage)
            .Add(x => x.DiscloseAt, discloseAt is null ? null : DateTimeOffset.Parse(discloseAt, System.Globalization.CultureInfo.InvariantCulture))
            .Add(x => x.WithheldReason, withheld).Add(x => x.Now, Now));

        Assert.Equal(expected, cut.Find("[data-testid=disclosure-state]").TextContent);
    }

    private static ScoreRecord Record(string group, int rows, bool verified, FixResult? fix = null, ScoreStatus status = ScoreStatus.Scored) => new()
    {
        SubmissionId = Guid.NewGuid().ToString(), Metric = Metric.Error, Status = status, Group = group, MaskHash = "hash",
        GroupRows = rows, GroupShare = rows / 1000.0,
        Finding = status == ScoreStatus.Scored ? new FindingResult(rows, 40, 1000 - rows, 100, 0.33, 0.11, "z", 4.2, verified ? 0.00001 : 0.2, 0.01, 0.1, 0.3, verified, []) : null,
        Fix = fix, Provenance = new Provenance("h", 0, "test", 1, "n", 0.01, 0.01),
    };

    [Fact]
    public void NearDuplicateComparison_ShowsBothSubmissionsSideBySide()
    {
        var fix = new FixResult("model", 120, 30, 5, 0.2, 0.12, "mcnemar", 3.1, 0.001, 0.01, true, [], 2, []);
        var earlier = new ComparedSubmission(Guid.NewGuid(), "First team", "age > 60", Now.AddDays(-1), TriageState.Approved, Record("age > 60", 120, verified: true, fix));
        var self = new ComparedSubmission(Guid.NewGuid(), "Second team", "age >= 61", Now, TriageState.Scored, Record("age >= 61", 118, verified: false));

        var cut = Render<NearDuplicateComparison>(p => p.Add(x => x.Pairs, [new NearDuplicatePair(self, earlier, 0.9712, SameGroup: false)]).Add(x => x.Slug, "demo"));

        var table = cut.Find("[data-testid=near-duplicates] table.near-duplicate");
        Assert.Equal(earlier.Id.ToString(), table.GetAttribute("data-earlier-id"));
        Assert.Contains("Near duplicate of an earlier submission", cut.Find("caption").TextContent);
        Assert.Equal("0.971", cut.Find(".jaccard").TextContent);
        Assert.Equal("age >= 61", cut.Find("code.expression.this").TextContent);
        Assert.Equal("age > 60", cut.Find("code.expression.earlier").TextContent);
        Assert.Equal(["118 (11.8% of the holdout)", "120 (12.0% of the holdout)"], Cells(cut, "group-rows"));
        Assert.Equal(["not verified (p = 0.2, level 0.01)", "verified (p = 1e-5 ≤ 0.01)"], Cells(cut, "finding"));
        Assert.Equal(["no fix", "accepted (model v2)"], Cells(cut, "fix"));
        Assert.Equal($"organize/demo/submissions/{earlier.Id}", cut.Find("a").GetAttribute("href"));
    }

    [Fact]
    public void NearDuplicateComparison_NamesAnExactDuplicate_AndSaysWhenThereIsNone()
    {
        var earlier = new ComparedSubmission(Guid.NewGuid(), "First", "a == 1", Now.AddDays(-1), TriageState.Approved, null);
        var self = new ComparedSubmission(Guid.NewGuid(), "Second", "a == 1", Now, TriageState.Scored, Record("a == 1", 50, false, status: ScoreStatus.Duplicate));
        var cut = Render<NearDuplicateComparison>(p => p.Add(x => x.Pairs, [new NearDuplicatePair(self, earlier, 1, SameGroup: true)]).Add(x => x.Slug, "demo"));

        Assert.Contains("Same group as an earlier submission", cut.Find("caption").TextContent);
        Assert.Equal(["duplicate: the earlier verdict stands", "not scored"], Cells(cut, "finding"));

        var none = Render<NearDuplicateComparison>(p => p.Add(x => x.Pairs, []).Add(x => x.Slug, "demo"));
        Assert.Contains("no earlier submission", none.Find("[data-testid=near-duplicates]").TextContent);
    }

    private static string[] Cells(IRenderedComponent<NearDuplicateComparison> cut, string rowClass) =>
        cut.FindAll($"tr.{rowClass} td").Select(td => td.TextContent).ToArray();
}
