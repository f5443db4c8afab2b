using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components;
using Bunit;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Organize;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>The wizard component: uploads, schema and model steps wired to the draft, and their messages on the page.</summary>
public sealed class NewCompetitionPageTests : BunitContext
{
    public NewCompetitionPageTests()
    {
        Services.AddLogging();
        AddAuthorization().SetAuthorized("organizer@example.org").SetRoles(Roles.Organizer);
    }

    [Fact]
    public async Task OneFile_ShowsTheSchema_ConfirmsIt_AndShowsTheBaselinesError()
    {
        var cut = Render<NewCompetitionPage>();
        Assert.True(cut.Find("button.btn-primary").HasAttribute("disabled")); // nothing to open yet

        await cut.Find("#mode-one").ChangeAsync(new ChangeEventArgs { Value = true });
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(OrganizeTestData.Wyoming, "acs-income-2018-WY.csv.gz"));
        cut.WaitForAssertion(() => Assert.Contains("acs-income-2018-WY.csv.gz: 3,064 rows", cut.Markup), TimeSpan.FromSeconds(30));
        Assert.Contains("PINCP", cut.Find("table").TextContent);

        await cut.Find("input[aria-label='label PINCP']").ChangeAsync(new ChangeEventArgs { Value = true });
        await cut.Find("input[aria-label='hidden RAC1P']").ChangeAsync(new ChangeEventArgs { Value = true });
        await cut.FindAll("button").Single(b => b.TextContent == "Confirm the schema").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Contains("Schema confirmed: label PINCP (positive class True), 9 features.", cut.Markup), TimeSpan.FromSeconds(30));

        await cut.FindAll("button").Single(b => b.TextContent == "Train a baseline").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Contains("baseline.onnx binds to the schema", cut.Markup), TimeSpan.FromSeconds(60));
        Assert.Matches(@"version 0\):\s*<strong>\d+\.\d %</strong>", cut.Markup);
        Assert.False(cut.Find("button.btn-primary").HasAttribute("disabled"));
        // The pre-flight audit follows the check, on the public training file: its groups or the sentence that none survived.
        cut.WaitForAssertion(() => Assert.Contains("on the public training data, not on the holdout", cut.Find("[data-testid=preflight-method]").TextContent),
            TimeSpan.FromSeconds(60));
        Assert.Single(cut.FindAll("[data-testid=preflight-groups], [data-testid=preflight-none]"));
        Assert.False(cut.Find("button.btn-primary").HasAttribute("disabled"));
    }

    [Fact]
    public void Page_NumbersTheStepsOneToFive_BeforeAnythingIsUploaded()
    {
        var cut = Render<NewCompetitionPage>();

        Assert.Equal(["1. The competition", "2. The data", "3. The schema", "4. The base model", "5. Open"], cut.FindAll("h2").Select(h => h.TextContent));
    }

    [Fact]
    public void EveryScoringSetting_HasAOneLineHelp_AndTheRulesAreLinked()
    {
        var cut = Render<NewCompetitionPage>();

        var helps = cut.FindAll(".form-text[id$='-help']");
        Assert.Equal(7, helps.Count);
        Assert.All(helps, h => Assert.False(string.IsNullOrWhiteSpace(h.TextContent)));
        Assert.NotNull(cut.Find("a[href='/rules/scoring']"));
        Assert.DoesNotContain("SCORING.md", cut.Markup);
    }

    [Fact]
    public async Task Slug_IsFilledFromTheName_UntilTheOrganizerEditsIt()
    {
        var cut = Render<NewCompetitionPage>();

        await cut.Find("#name").ChangeAsync(new ChangeEventArgs { Value = "Crédit in Germany: 2024!" });
        Assert.Equal("credit-in-germany-2024", cut.Find("#slug").GetAttribute("value"));

        await cut.Find("#slug").ChangeAsync(new ChangeEventArgs { Value = "german-credit" });
        await cut.Find("#name").ChangeAsync(new ChangeEventArgs { Value = "German credit" });
        Assert.Equal("german-credit", cut.Find("#slug").GetAttribute("value"));
    }

    [Fact]
    public async Task HeaderlessFileWithItsSchema_IsRead_AndNothingTestable_KeepsOpenDisabled()
    {
        var cut = Render<NewCompetitionPage>();
        await cut.Find("#mode-one").ChangeAsync(new ChangeEventArgs { Value = true });

        cut.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(OrganizeTestData.GermanCredit, "german-credit.data.gz"),
            InputFileContent.CreateFromBinary(OrganizeTestData.GermanCreditSchema, "german-credit.data.schema.json"));
        cut.WaitForAssertion(() => Assert.Contains("german-credit.data.gz: 1,000 rows", cut.Markup), TimeSpan.FromSeconds(30));
        Assert.True(cut.Find("input[aria-label='label credit_risk']").HasAttribute("checked")); // the schema's label
        Assert.NotNull(cut.Find("select[aria-label='kind purpose']"));

        await cut.FindAll("button").Single(b => b.TextContent == "Confirm the schema").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Contains("no group can be tested", cut.Find("#feasibility").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("set the least group rows to 12 or less", cut.Find("#feasibility").TextContent);

        await cut.FindAll("button").Single(b => b.TextContent == "Train a baseline").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Contains("baseline.onnx binds to the schema", cut.Markup), TimeSpan.FromSeconds(60));
        Assert.True(cut.Find("button.btn-primary").HasAttribute("disabled"));

        await cut.Find("#minGroupRows").ChangeAsync(new ChangeEventArgs { Value = "12" });
        cut.WaitForAssertion(() => Assert.Contains("groups from 30 rows (10 %) to 270 rows (90 %)", cut.Find("#feasibility").TextContent));
        Assert.False(cut.Find("button.btn-primary").HasAttribute("disabled"));
    }

    [Fact]
    public void MalformedTrainingFile_ShowsTheLineInAnAlert()
    {
        var cut = Render<NewCompetitionPage>();
        cut.FindComponents<InputFile>()[0].UploadFiles(
            InputFileContent.CreateFromText("age,colour,y\n20,red,high\n21,blue\n", "train.csv"));
        cut.WaitForAssertion(() => Assert.Equal("The training file could not be read: Line 3: expected 3 fields, found 2.", cut.Find("[role=alert]").TextContent));
    }

    [Fact]
    public async Task ConfirmingWithoutALabel_AsksForIt()
    {
        var cut = Render<NewCompetitionPage>();
        var table = OrganizeTestData.Table(50);
        cut.FindComponents<InputFile>()[0].UploadFiles(InputFileContent.CreateFromText(table, "train.csv"));
        cut.WaitForAssertion(() => Assert.Contains("train.csv: 50 rows", cut.Markup));
        cut.FindComponents<InputFile>()[1].UploadFiles(InputFileContent.CreateFromText(table, "holdout.csv"));
        cut.WaitForAssertion(() => Assert.Contains("holdout.csv: 50 rows", cut.Markup));
        await cut.FindAll("button").Single(b => b.TextContent == "Confirm the schema").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Equal("Pick the label column: the one the model predicts.", cut.Find("[role=alert]").TextContent));
    }

    [Fact]
    public async Task EvaluationTable_OneTranscriptTable_ConfirmsTheColumns_AndShowsTheSystemsWordErrorRate()
    {
        var cut = Render<NewCompetitionPage>();

        await cut.Find("#kind-table").ChangeAsync(new ChangeEventArgs { Value = true });

        Assert.Equal(["1. The competition", "2. The data", "3. The table's columns", "4. The system's error rate", "5. Open"], cut.FindAll("h2").Select(h => h.TextContent));
        Assert.Equal(["wer (word error rate)", "cer (character error rate)"], cut.FindAll("#metric option").Select(o => o.TextContent));
        Assert.True(cut.Find("#mode-one").HasAttribute("checked")); // one table split by speaker is the usual start
        Assert.Equal("one table that the platform splits by speaker", cut.Find("label[for=mode-one]").TextContent);

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(EvaluationTableData.Transcripts(), "asr.csv"));
        cut.WaitForAssertion(() => Assert.Contains("asr.csv: 1,920 rows", cut.Markup), TimeSpan.FromSeconds(30));
        var uses = cut.FindAll("tbody tr").ToDictionary(r => r.Children[0].TextContent, r => r.Children[5].TextContent.Trim());
        Assert.Equal("speaker (hidden)", uses["speaker_id"]);
        Assert.Equal("reference (hidden)", uses["reference"]);
        Assert.Equal("hypothesis (hidden)", uses["hypothesis"]);
        Assert.True(cut.Find("input[aria-label='hidden utterance_id']").HasAttribute("checked"));
        Assert.False(cut.Find("input[aria-label='hidden accent']").HasAttribute("checked"));
        Assert.StartsWith("Rows of one speaker are not independent", cut.Find("#speaker-help").TextContent);
        Assert.Contains("case ignored, punctuation removed (apostrophes and hyphens inside words kept), numbers as written", cut.Find("#counting").TextContent);
        Assert.Contains("4. The system's error rate", cut.Markup);
        Assert.Contains("Confirm the table's columns first", cut.Markup);

        await cut.FindAll("button").Single(b => b.TextContent == "Confirm the columns").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Contains("Columns confirmed", cut.Markup), TimeSpan.FromSeconds(30));
        Assert.Matches(@"^Columns confirmed: errors word_errors out of reference_words, speaker speaker_id, 2 features \(accent, noise\)\. Split by speaker with seed \d+\.$",
            System.Text.RegularExpressions.Regex.Replace(cut.Find("#columns-confirmed").TextContent, @"\s+", " ").Trim());
        Assert.Matches(@"word error rate on the holdout's feedback part \(the leaderboard's version 0\):\s*<strong>\d+\.\d %</strong>", cut.Find("#system-rate").InnerHtml);
        Assert.NotNull(cut.Find("#feasibility"));
        Assert.Empty(cut.FindAll("#model")); // no base model for an evaluation table
        Assert.StartsWith("The pre-flight audit is offered for model competitions only", cut.Find("[data-testid=preflight-unavailable]").TextContent);
        await cut.Find("#minGroupRows").ChangeAsync(new ChangeEventArgs { Value = "20" });
        cut.WaitForAssertion(() => Assert.False(cut.Find("button.btn-primary").HasAttribute("disabled")));

        // a model competition cannot be opened on the table: step 3 must be done again for that kind
        await cut.Find("#kind-model").ChangeAsync(new ChangeEventArgs { Value = true });
        Assert.True(cut.Find("button.btn-primary").HasAttribute("disabled"));
        Assert.Contains("Confirm the schema first; the base model is checked against it.", cut.Markup);
        Assert.DoesNotContain("Schema confirmed", cut.Markup);
    }

    [Fact]
    public async Task EvaluationTable_ErrorsColumnWithANegativeCount_ShowsTheLineAndColumnInAnAlert()
    {
        var cut = Render<NewCompetitionPage>();
        await cut.Find("#kind-table").ChangeAsync(new ChangeEventArgs { Value = true });
        cut.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromText(EvaluationTableData.Counts() + "u9999,spk00,Scottish,quiet,-1,9\n", "asr-errors.csv"));
        cut.WaitForAssertion(() => Assert.Contains("asr-errors.csv: 1,921 rows", cut.Markup), TimeSpan.FromSeconds(30));
        Assert.True(cut.Find("#errors-counted").HasAttribute("checked")); // no transcripts, so the counts are guessed
        Assert.Equal("errors", cut.FindAll("tbody tr").Single(r => r.Children[0].TextContent == "errors").Children[5].TextContent.Trim());

        await cut.FindAll("button").Single(b => b.TextContent == "Confirm the columns").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Equal("The data file, line 1922, column 'errors': errors must be a number of 0 or more.", cut.Find("[role=alert]").TextContent));
        Assert.True(cut.Find("button.btn-primary").HasAttribute("disabled"));
    }

    [Fact]
    public async Task EvaluationTable_WithoutASpeaker_AsksForIt()
    {
        var cut = Render<NewCompetitionPage>();
        await cut.Find("#kind-table").ChangeAsync(new ChangeEventArgs { Value = true });
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(EvaluationTableData.Counts(), "asr-errors.csv"));
        cut.WaitForAssertion(() => Assert.Contains("asr-errors.csv: 1,920 rows", cut.Markup), TimeSpan.FromSeconds(30));

        await cut.Find("#speaker").ChangeAsync(new ChangeEventArgs { Value = "" });
        await cut.FindAll("button").Single(b => b.TextContent == "Confirm the columns").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Equal(
            "Pick the column that identifies the speaker (or whoever produced each row): rows of one speaker are tested together.", cut.Find("[role=alert]").TextContent));
    }
}
