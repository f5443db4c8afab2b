using System.Text.Json;
using BiasBounty.Web.OrganizerShell;

namespace BiasBounty.Web.Components.Tests.OrganizerShell;

public sealed class RecordTableTests : BunitContext
{
    private IRenderedComponent<RecordTable> Show(string json) =>
        Render<RecordTable>(p => p.Add(x => x.Value, JsonDocument.Parse(json).RootElement.Clone()));

    private static string Cell(IRenderedComponent<RecordTable> cut, string label) =>
        cut.FindAll("tr").Single(r => r.QuerySelector("th[scope=row]")?.TextContent == label).QuerySelector("td")!.TextContent;

    [Fact]
    public void Record_IsOneTwoColumnTable_WithASectionPerNestedObject()
    {
        var cut = Show("""
            { "status": "Scored", "groupRows": 12345, "finding": { "pValue": 0.00001234, "verified": true, "test": { "z": 3.294861 } },
              "provenance": { "splitSeed": 20221001, "maskHash": "abc", "repairs": [] } }
            """);

        Assert.Single(cut.FindAll("table"));
        Assert.Equal(["finding", "provenance"], cut.FindAll("tr.record-section").Select(r => r.TextContent));
        Assert.Equal("Scored", Cell(cut, "status"));
        Assert.Equal("12,345", Cell(cut, "group rows"));
        Assert.Equal("1.234e-5", Cell(cut, "p value"));
        Assert.Equal("yes", Cell(cut, "verified"));
        Assert.Equal("3.29486", Cell(cut, "test · z"));
        Assert.Equal("none", Cell(cut, "repairs"));
    }

    [Fact]
    public void Seed_IsShownWithoutThousandsSeparators() =>
        Assert.Equal("20221001", Cell(Show("""{ "provenance": { "splitSeed": 20221001 } }"""), "split seed"));

    [Fact]
    public void ListOfObjects_IsNumbered_AndNullIsADash()
    {
        var cut = Show("""{ "fix": { "repairs": [ { "group": "age > 30" }, { "group": "age < 20" } ], "newVersion": null } }""");

        Assert.Equal("age > 30", Cell(cut, "repairs 1 · group"));
        Assert.Equal("age < 20", Cell(cut, "repairs 2 · group"));
        Assert.Equal("—", Cell(cut, "new version"));
    }
}
