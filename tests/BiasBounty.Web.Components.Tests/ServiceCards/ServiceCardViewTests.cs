using BiasBounty.Web.ServiceCards;

namespace BiasBounty.Web.Components.Tests.ServiceCards;

public sealed class ServiceCardViewTests : BunitContext
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static CardLoss Loss(double percent, double lower, double upper) => new(percent, new CardInterval(lower, upper));

    /// <summary>A hand-made card: two versions, one fix, groups of one column and one pair, the intended use written, the rest not.</summary>
    public static ServiceCardDocument Card(string intendedUse = "Screening <script>alert(1)</script> **loans**") => new(
        ServiceCardDocument.FormatName,
        new CardAbout("Adult income", "adult", 1, 1, "Open", Day.AddDays(2), "http://localhost/competitions/adult/service-card/1"),
        new CardModel("Version 1 of the competition's model.", "Classification: predicts whether income is >50K (1) or not (0).", "income", ">50K", 1, 0, Day.AddDays(1),
            "http://localhost/competitions/adult/download/model.onnx?version=1", "http://localhost/competitions/adult/download/model", "One ONNX input per feature column."),
        [new CardVersion(0, Day, 14.6, new CardInterval(14.0, 15.2), null, null), new CardVersion(1, Day.AddDays(1), 13.9, new CardInterval(13.3, 14.5), "Married Finders", "marital-status == \"Married-civ-spouse\"")],
        new CardIntendedUse(new OrganizerText(intendedUse, true), new OrganizerText("The organizer has not described uses this model is not suited for.", false)),
        new CardFactors(["age", "sex", "race"], [], ["fnlwgt (hidden)"], "Competitions do not mark protected attributes."),
        new CardMetric("error", "Error rate", "Error rate: the share of rows where the prediction differs from the label."),
        new CardEvaluationData(16_281, 6_512, 9_769, "Split once with a fixed seed.", "The holdout is never published."),
        new CardTrainingData(32_561, "income", ">50K", 7_841, 14, "http://localhost/schema.json", "http://localhost/training"),
        new CardQuantitativeAnalysis("the holdout's feedback part", 100,
            new CardGroup("all rows", [], "1,000–9,999 rows", Loss(14.6, 13.8, 15.5), Loss(13.9, 13.1, 14.8)),
            [
                new CardGroup("sex == \"Female\"", ["sex"], "1,000–9,999 rows", Loss(10.9, 9.6, 12.3), Loss(10.1, 8.9, 11.5)),
                new CardGroup("sex == \"Male\"", ["sex"], "1,000–9,999 rows", Loss(16.5, 15.4, 17.6), Loss(15.8, 14.8, 16.9)),
                new CardGroup("sex == \"Female\" and race == \"White\"", ["sex", "race"], "1,000–9,999 rows", Loss(10.2, 8.8, 11.8), Loss(9.9, 8.5, 11.4)),
            ], 12, ["age"], "Groups with fewer than 100 rows are not shown."),
        [new CardFinding("age >= 60", "Quiet Team", "100–999 rows", 21.3, "large", Day.AddDays(1))],
        [new CardFix(1, "Married Finders", "marital-status == \"Married-civ-spouse\"", 13.9, Day.AddDays(1))],
        new CardConsiderations(new OrganizerText("The organizer has not described the ethical considerations of this model.", false), ["A bias bounty does not show that the model is fair."]),
        new CardConsiderations(new OrganizerText("Check it on your population.", true), ["The numbers are estimates."]),
        new CardTestYourself("Replay on your own data is coming.", ["bbounty score --data YOUR_DATA.csv --model adult-model-v1-single.onnx"]));

    [Fact]
    public void Card_ShowsEverySection_DatedAndWithTheOnnxDownload()
    {
        var cut = Render<ServiceCardView>(p => p.Add(x => x.Card, Card()));

        foreach (var section in new[] { "card-model", "card-intended-use", "card-factors", "card-metric", "card-evaluation-data", "card-training-data",
                     "card-analysis", "card-findings", "card-ethics", "card-caveats", "card-test-yourself" })
            Assert.NotNull(cut.Find($"[data-testid='{section}']"));
        Assert.Equal("2026-11-22 09:00 UTC", cut.Find("[data-testid='card-date']").TextContent);
        Assert.EndsWith("model.onnx?version=1", cut.Find("[data-testid='card-onnx']").GetAttribute("href"));
        Assert.Contains("Married Finders", cut.Find("[data-testid='card-fixes']").TextContent);
        Assert.Contains("Quiet Team", cut.Find("[data-testid='card-findings']").TextContent);
        Assert.Contains("95 % interval 13.3–14.5", cut.Find("[data-testid='card-versions']").TextContent);
    }

    [Fact]
    public void OrganizerText_IsMarkdownWithoutRawHtml_AndMissingTextSaysTheOrganizerHasNotDescribedIt()
    {
        var cut = Render<ServiceCardView>(p => p.Add(x => x.Card, Card()));

        var intended = cut.Find("[data-testid='card-intended-use']");
        Assert.Empty(intended.QuerySelectorAll("script"));
        Assert.Contains("<strong>loans</strong>", intended.InnerHtml);
        Assert.Contains("has not described uses", intended.QuerySelector("[data-testid='organizer-words-missing']")!.TextContent);
        Assert.Contains("has not described the ethical", cut.Find("[data-testid='card-ethics'] [data-testid='organizer-words-missing']").TextContent);
    }

    [Fact]
    public void Groups_OfOneColumnAreTables_PairsAreFoldedByColumnPair_EachWithBothVersionsAndIntervals()
    {
        var cut = Render<ServiceCardView>(p => p.Add(x => x.Card, Card()));

        var tables = cut.FindAll("[data-testid='card-groups']");
        Assert.Equal(["Everyone", "sex", "sex × race"], tables.Select(t => t.GetAttribute("data-title")));
        Assert.Equal(["Everyone", "sex"], cut.FindAll("h3.group-table-title").Select(h => h.TextContent)); // a pair is titled by its fold
        var pairs = cut.Find("details.group-pairs");
        Assert.Contains("(1 group)", pairs.QuerySelector("summary")!.TextContent);
        var women = cut.Find("tr[data-group='sex == \"Female\"']");
        Assert.Contains("10.9 %", women.TextContent);
        Assert.Contains("9.6–12.3", women.TextContent);
        Assert.Contains("10.1 %", women.TextContent);
        Assert.Contains("8.9–11.5", women.TextContent);
        Assert.Contains("1,000–9,999 rows", women.TextContent);
        Assert.Contains("age", cut.Find("[data-testid='card-analysis']").TextContent);
    }

    [Fact]
    public void Markdown_HasTheSameSectionsAndNumbers()
    {
        var markdown = ServiceCardMarkdown.Render(Card());

        Assert.StartsWith("# Service card: Adult income, model version 1", markdown);
        Assert.Contains("| `sex == \"Female\"` | 1,000–9,999 rows | 10.9 % | 9.6–12.3 % | 10.1 % | 8.9–11.5 % |", markdown);
        Assert.Contains("*The organizer has not described uses this model is not suited for.*", markdown);
        Assert.Contains("- Version 1: Married Finders mended", markdown);
        Assert.Equal(Card(), ServiceCardDocument.FromJson(Card().ToJson()) with { }, new DocumentComparer());
    }

    /// <summary>Records holding lists compare lists by reference: compare the JSON instead.</summary>
    private sealed class DocumentComparer : IEqualityComparer<ServiceCardDocument>
    {
        public bool Equals(ServiceCardDocument? x, ServiceCardDocument? y) => x?.ToJson() == y?.ToJson();

        public int GetHashCode(ServiceCardDocument obj) => obj.ToJson().GetHashCode();
    }
}
