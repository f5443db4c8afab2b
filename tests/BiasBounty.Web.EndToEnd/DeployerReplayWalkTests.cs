using System.Text;
using BiasBounty.Web.EndToEnd.Infrastructure;
using BiasBounty.Web.Tests.Deployers;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BiasBounty.Web.EndToEnd;

/// <summary>
/// The last mile (issue 13, docs/deployers.md): an organizer marks the protected columns and invites a deployer by
/// e-mail; the deployer uploads a file of another schema (refused with a message), then labelled rows on which a
/// planted group is worse, runs the replay, watches its progress, sees the last-mile flag, downloads the report, and
/// takes away what the last mile is for: the improved model as one ONNX file (loaded and run here with ONNX Runtime) and
/// its service card, which the organizer produced and published (a deployer sees published cards, as everyone does).
/// </summary>
[Collection(BrowserCollection.Name)]
public class DeployerReplayWalkTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Organizer_InvitesADeployer_WhoUploadsRowsWithAPlantedGroup_RunsTheReplay_SeesTheFlag_AndDownloadsTheReport()
    {
        var platform = fixture.Platform;
        var competition = await WalkArrange.CompetitionAsync(platform, "Replay");
        var deployerEmail = await AccountPages.ConfirmedUserAsync(platform, "deployer");
        var folder = Directory.CreateTempSubdirectory("replay-walk").FullName;
        var good = Path.Combine(folder, "our-applicants.csv");
        await File.WriteAllBytesAsync(good, await DeployerArrange.PlantedCsvAsync(platform, competition.Id));
        var other = Path.Combine(folder, "other-schema.csv");
        await File.WriteAllTextAsync(other, "id,score,label\n1,0.4,yes\n2,0.9,no\n", Encoding.UTF8);

        await using var session = await fixture.SessionAsync(nameof(Organizer_InvitesADeployer_WhoUploadsRowsWithAPlantedGroup_RunsTheReplay_SeesTheFlag_AndDownloadsTheReport));
        await session.RunAsync(async page =>
        {
            // The organizer: protected columns and the invitation.
            await AccountPages.LogInAsync(session, competition.OrganizerEmail);
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/deployers");
            await page.GetByTestId("protected-race").CheckAsync();
            await page.GetByTestId("protected-sex").CheckAsync();
            await page.GetByTestId("save-protected").ClickAsync();
            await Expect(page.GetByTestId("protected-message")).ToHaveTextAsync("Saved: race, sex.");
            await page.GetByTestId("deployer-email").FillAsync(deployerEmail);
            await page.GetByTestId("invite-deployer").ClickAsync();
            await Expect(page.GetByTestId("invite-message")).ToContainTextAsync($"Invited {deployerEmail}");
            await Expect(page.GetByTestId("deployer-invitations")).ToContainTextAsync(deployerEmail);
            await session.ShotAsync("organizer-invited");
            await WalkPages.OpenAsync(session, $"organize/{competition.Slug}/service-cards");
            await page.GetByTestId("produce-0").ClickAsync();
            await Expect(page.GetByTestId("card-state-0")).ToHaveTextAsync("private", new() { Timeout = 60_000 });
            await page.GetByTestId("publish-0").ClickAsync();
            await Expect(page.GetByTestId("card-state-0")).ToContainTextAsync("public since");

            // The deployer.
            await page.Context.ClearCookiesAsync();
            await AccountPages.LogInAsync(session, deployerEmail);
            await WalkPages.OpenAsync(session, "deploy");
            await WalkPages.FollowAsync(session, page.GetByTestId("deployment-link"), $"deploy/{competition.Slug}");
            await Expect(page.GetByTestId("retention")).ToContainTextAsync("90 days after upload");
            await session.ShotAsync("upload-page");

            await page.Locator("#deployer-file").SetInputFilesAsync(other);
            await Expect(page.GetByTestId("upload-message")).ToContainTextAsync("must have the competition's columns", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("upload-message")).ToContainTextAsync("Nothing was stored.");
            await Expect(page.GetByTestId("no-uploads")).ToBeVisibleAsync();
            await session.ShotAsync("other-schema-refused");

            await page.Locator("#deployer-file").SetInputFilesAsync(good);
            await Expect(page.GetByTestId("upload-message")).ToContainTextAsync("our-applicants.csv is stored", new() { Timeout = 60_000 });
            await page.GetByTestId("start-replay").ClickAsync();
            await Expect(page.GetByTestId("report-link")).ToBeVisibleAsync(new() { Timeout = 180_000 });
            await session.ShotAsync("replay-done");
            await page.SetViewportSizeAsync(390, 844);
            await session.ShotAsync("replay-done-narrow");
            await page.SetViewportSizeAsync(1280, 900);

            var reportPath = await page.GetByTestId("report-link").GetAttributeAsync("href");
            Assert.StartsWith("deploy/replays/", reportPath, StringComparison.Ordinal);
            await WalkPages.FollowAsync(session, page.GetByTestId("report-link"), reportPath!);
            var flag = page.GetByTestId("replay-flag").Filter(new() { HasText = DeployerArrange.Planted });
            await Expect(flag.First).ToHaveAttributeAsync("data-kind", "last-mile-gap");
            await Expect(page.GetByTestId("replay-chart")).ToBeVisibleAsync();
            await Expect(page.Locator($"tr[data-expression='{DeployerArrange.Planted}']").First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("table-warning"));
            await session.ShotAsync("report");
            await page.SetViewportSizeAsync(390, 844);
            await session.ShotAsync("report-narrow");
            await page.SetViewportSizeAsync(1280, 900);

            var csv = await WalkPages.FetchCsvAsync(page, page.GetByTestId("download-csv"));
            Assert.Contains("last-mile-gap", csv, StringComparison.Ordinal);
            var json = await page.APIRequest.GetAsync(await page.GetByTestId("download-json").EvaluateAsync<string>("a => a.href"));
            Assert.True(json.Ok, $"the JSON download answered {json.Status}");
            Assert.Contains("\"last-mile-gap\"", await json.TextAsync(), StringComparison.Ordinal);

            // The improved model, one ONNX file: an ONNX protobuf that ONNX Runtime loads and runs with no BiasBounty code.
            var downloads = page.GetByTestId("deployer-downloads");
            await session.ShotAsync("report-downloads", downloads);
            var onnxLink = page.GetByTestId("deployer-model-onnx");
            await Expect(onnxLink).ToContainTextAsync("Download the improved model (ONNX)");
            var onnx = await page.APIRequest.GetAsync(await onnxLink.EvaluateAsync<string>("a => a.href"));
            Assert.True(onnx.Ok, $"the ONNX download answered {onnx.Status}");
            var model = await onnx.BodyAsync();
            Assert.True(model.Length > 1_000, $"the ONNX file has only {model.Length} bytes");
            Assert.Equal(0x08, model[0]); // ModelProto's first field: ir_version, a varint
            RunsOneRow(model);

            // The service card, as Markdown and JSON, names the version replayed.
            await Expect(page.GetByTestId("deployer-card")).ToContainTextAsync("version 0");
            var cardJson = await page.APIRequest.GetAsync(await page.GetByTestId("deployer-card-json").EvaluateAsync<string>("a => a.href"));
            Assert.True(cardJson.Ok, $"the card's JSON answered {cardJson.Status}");
            using var card = System.Text.Json.JsonDocument.Parse(await cardJson.TextAsync());
            Assert.Equal("biasbounty.service-card/1", card.RootElement.GetProperty("format").GetString());
            Assert.Equal(0, card.RootElement.GetProperty("about").GetProperty("version").GetInt32());
            var cardMarkdown = await page.APIRequest.GetAsync(await page.GetByTestId("deployer-card-md").EvaluateAsync<string>("a => a.href"));
            Assert.True(cardMarkdown.Ok, $"the card's Markdown answered {cardMarkdown.Status}");
            Assert.StartsWith("# Service card: ", await cardMarkdown.TextAsync(), StringComparison.Ordinal);
            await WalkPages.FollowAsync(session, page.GetByTestId("deployer-card-page"), $"competitions/{competition.Slug}/service-card/0");
            await Expect(page.GetByTestId("service-card")).ToBeVisibleAsync();
        });
    }

    /// <summary>Loads the file in ONNX Runtime and predicts one row whose every input is missing (NaN, or "" for text).</summary>
    private static void RunsOneRow(byte[] model)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        var inputs = session.InputMetadata.Select(input => input.Value.ElementType == typeof(string)
            ? Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(input.Key, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(new[] { "" }, [1, 1]))
            : Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(input.Key, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(new[] { float.NaN }, [1, 1]))).ToList();
        Assert.Contains(inputs, i => i.Name == "race");
        using var results = session.Run(inputs);
        var prediction = Assert.Single(results, r => r.Name == "prediction").AsEnumerable<float>().ToArray();
        Assert.Single(prediction);
        Assert.True(float.IsFinite(prediction[0]), $"the model predicted {prediction[0]}");
    }
}
