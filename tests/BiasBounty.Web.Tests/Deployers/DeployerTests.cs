using System.Net;
using System.Text;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Deployers;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Deployers;

/// <summary>
/// Deployers (issue 13, the last mile): an organizer invites a deployer by e-mail, the deployer uploads labelled rows
/// on which a planted group is worse, the replay job flags it; uploads and reports are private and deletable for good;
/// bad input is a message with nothing stored.
/// </summary>
public sealed class DeployerTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private const string Planted = DeployerArrange.Planted;

    private async Task<(Competition Competition, string OrganizerId)> CompetitionAsync()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var competition = await CompetitionBuilder.New("Replay").OrganizedBy(organizerId).SaveWithDemoDataAsync(scope);
        var invitations = scope.ServiceProvider.GetRequiredService<DeployerInvitations>();
        Assert.Null(await invitations.SaveProtectedColumnsAsync(competition.Id, ["race", "sex"], ["age", "race", "sex", "workclass"], organizerId));
        return (competition, organizerId);
    }

    private async Task<(string Id, string Email)> DeployerAsync(Competition competition, string organizerId)
    {
        var user = await SignedInClient.UserAsync(platform);
        await using var scope = platform.Scope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<DeployerInvitations>().InviteAsync(competition.Id, user.Email.ToUpperInvariant(), organizerId));
        return user;
    }

    private Task<byte[]> DeployerCsvAsync(Competition competition, int rows = 4_000) => DeployerArrange.PlantedCsvAsync(platform, competition.Id, rows);

    private async Task<T> UploadsAsync<T>(Func<DeployerUploads, ApplicationDbContextAccess, Task<T>> act)
    {
        await using var scope = platform.Scope();
        return await act(scope.ServiceProvider.GetRequiredService<DeployerUploads>(), new ApplicationDbContextAccess(platform.NewDb(scope)));
    }

    private sealed record ApplicationDbContextAccess(BiasBounty.Web.Persistence.ApplicationDbContext Db);

    private async Task<ReplayRun> FinishedRunAsync(Guid uploadId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var scope = platform.Scope();
            var run = await platform.NewDb(scope).ReplayRuns.AsNoTracking().SingleAsync(r => r.UploadId == uploadId);
            if (run.State is ReplayState.Done or ReplayState.Failed) return run;
            Assert.True(DateTime.UtcNow < deadline, $"the replay is still {run.State} ({run.Progress} %)");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Replay_OfRowsWithAPlantedGroup_FlagsIt_AndItsOwnerDownloadsTheReport()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (deployerId, email) = await DeployerAsync(competition, organizerId);
        var csv = await DeployerCsvAsync(competition);

        var (uploadId, problem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, deployerId, "my-rows.csv", csv));
        Assert.True(uploadId is not null, problem);
        Assert.Null(await UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, deployerId)));
        var run = await FinishedRunAsync(uploadId!.Value);

        Assert.True(run.State == ReplayState.Done, run.FailureReason);
        var report = ReplayReports.FromJson(run.ReportJson!);
        Assert.Contains(report.Flags, f => f.Kind == Scoring.Replay.ReplayFlagKind.LastMileGap && f.Expression == Planted);
        var group = Assert.Single(report.Versions[0].Groups, g => g.Expression == Planted);
        Assert.True(group.Lower <= group.Error && group.Error <= group.Upper && group.Rows > 100);
        Assert.Contains(report.Versions[0].Groups, g => g.Source == Scoring.Replay.ReplayGroupSource.ProtectedPair);

        // The invitation e-mail went to the deployer's address.
        await using (var scope = platform.Scope())
            Assert.True(await platform.NewDb(scope).Outbox.AnyAsync(m => m.To == email.ToUpperInvariant() && m.Subject.Contains("replay")));

        var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        var page = await client.GetStringAsync($"/deploy/replays/{run.Id}");
        Assert.Contains("last-mile gap", page, StringComparison.Ordinal);
        Assert.Contains("replay-chart", page, StringComparison.Ordinal);
        var json = await client.GetAsync($"/deploy/replays/{run.Id}/report.json");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Contains("last-mile-gap", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var table = await client.GetStringAsync($"/deploy/replays/{run.Id}/report.csv");
        Assert.StartsWith("version,group,source,rows,error", table, StringComparison.Ordinal);
        Assert.Contains("last-mile-gap", table, StringComparison.Ordinal);
        var index = await client.GetStringAsync("/deploy");
        Assert.Contains($"href=\"deploy/{competition.Slug}\"", index, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"nav-deploy\"", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployer_SeesTheOnnxLink_AndTheServiceCardOnlyOnceTheOrganizerPublishesIt()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (_, email) = await DeployerAsync(competition, organizerId);
        var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        async Task<BiasBounty.Web.ServiceCards.CardOutcome> CardsAsync(Func<BiasBounty.Web.ServiceCards.ServiceCardProduction, Task<BiasBounty.Web.ServiceCards.CardOutcome>> act)
        {
            await using var scope = platform.Scope();
            return await act(scope.ServiceProvider.GetRequiredService<BiasBounty.Web.ServiceCards.ServiceCardProduction>());
        }

        // Produced but not published: the organizer's draft, which the deployer neither sees linked nor can fetch.
        Assert.True((await CardsAsync(p => p.ProduceAsync(competition.Id, 0, organizerId))).Done);
        var page = await client.GetStringAsync($"/deploy/{competition.Slug}");
        Assert.Contains("data-testid=\"deployer-model-onnx\"", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"competitions/{competition.Slug}/download/model.onnx\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"deployer-no-card\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/competitions/{competition.Slug}/service-card/0/card.json")).StatusCode);

        Assert.True((await CardsAsync(p => p.PublishAsync(competition.Id, 0, true, organizerId))).Done);
        page = await client.GetStringAsync($"/deploy/{competition.Slug}");
        Assert.Contains($"href=\"competitions/{competition.Slug}/service-card/0/card.json\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"deployer-no-card\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/competitions/{competition.Slug}/service-card/0/card.json")).StatusCode);
    }

    [Fact]
    public async Task AnotherDeployer_AParticipant_AndTheOrganizer_NeverSeeADeployersUploadOrReport()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (ownerId, _) = await DeployerAsync(competition, organizerId);
        var (otherId, otherEmail) = await DeployerAsync(competition, organizerId);
        var (participantId, participantEmail) = await SignedInClient.UserAsync(platform);
        var (uploadId, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "mine.csv", DeployerCsvAsync(competition, 600).Result));
        Assert.Null(await UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)));
        var run = await FinishedRunAsync(uploadId!.Value);

        foreach (var (userId, email) in new[] { (otherId, otherEmail), (participantId, participantEmail) })
        {
            Assert.False(await UploadsAsync((u, _) => u.DeleteAsync(uploadId.Value, userId)));
            Assert.NotNull(await UploadsAsync((u, _) => u.StartReplayAsync(uploadId.Value, userId)));
            Assert.Null(await UploadsAsync((_, d) => DeployerAccess.OwnRunAsync(d.Db, run.Id, userId)));
            var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            await SignedInClient.SignInAsync(client, email);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/deploy/replays/{run.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/deploy/replays/{run.Id}/report.json")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/deploy/replays/{run.Id}/report.csv")).StatusCode);
            var response = await client.GetAsync($"/deploy/{competition.Slug}");
            Assert.Equal(userId == otherId ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
            var uploads = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("mine.csv", uploads, StringComparison.Ordinal);
            Assert.Equal(userId == otherId, uploads.Contains("data-testid=\"nav-deploy\"", StringComparison.Ordinal));
        }
        // A participant who was not invited is no deployer: an upload is refused.
        var (refused, message) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, participantId, "x.csv", DeployerCsvAsync(competition, 100).Result));
        Assert.Null(refused);
        Assert.Equal("You are not a deployer of this competition.", message);
        // Anonymous visitors are sent to the login.
        var anonymous = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync($"/deploy/replays/{run.Id}/report.json")).StatusCode);
    }

    [Fact]
    public async Task Delete_RemovesTheUploadAndItsReport_ForGood()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (ownerId, email) = await DeployerAsync(competition, organizerId);
        var (uploadId, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "mine.csv", DeployerCsvAsync(competition, 600).Result));
        Assert.Null(await UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)));
        var run = await FinishedRunAsync(uploadId!.Value);

        Assert.True(await UploadsAsync((u, _) => u.DeleteAsync(uploadId.Value, ownerId)));

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            Assert.False(await db.DeployerUploads.AnyAsync(u => u.Id == uploadId));
            Assert.False(await db.ReplayRuns.AnyAsync(r => r.Id == run.Id));
        }
        var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/deploy/replays/{run.Id}/report.json")).StatusCode);
    }

    [Fact]
    public async Task Retention_DeletesUploadsAndReportsPastTheirPeriod_AndKeepsTheRest()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (ownerId, _) = await DeployerAsync(competition, organizerId);
        var csv = await DeployerCsvAsync(competition, 300);
        var (old, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "old.csv", csv));
        var (fresh, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "fresh.csv", csv));
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            var upload = await db.DeployerUploads.SingleAsync(u => u.Id == old);
            Assert.Equal(DeployerUploads.RetentionDays, (upload.ExpiresAt - upload.UploadedAt).TotalDays, 3);
            upload.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            db.ReplayRuns.Add(new ReplayRun { UploadId = old!.Value, CompetitionId = competition.Id, OwnerId = ownerId, State = ReplayState.Done, ReportJson = "{}" });
            await db.SaveChangesAsync();
        }

        await using (var scope = platform.Scope())
            await scope.ServiceProvider.GetRequiredService<DeployerDataRetention>().RunAsync();

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            Assert.False(await db.DeployerUploads.AnyAsync(u => u.Id == old));
            Assert.False(await db.ReplayRuns.AnyAsync(r => r.UploadId == old));
            Assert.True(await db.DeployerUploads.AnyAsync(u => u.Id == fresh));
        }
    }

    [Fact]
    public async Task BadInput_IsAMessage_AndNothingIsStored()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (ownerId, _) = await DeployerAsync(competition, organizerId);
        var good = await DeployerCsvAsync(competition, 300);

        // Another schema: a column renamed.
        var renamed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good).Replace("race,", "ethnicity,", StringComparison.Ordinal));
        var (_, schemaProblem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "other.csv", renamed));
        Assert.Contains("must have the competition's columns", schemaProblem, StringComparison.Ordinal);
        Assert.Contains("'race'", schemaProblem, StringComparison.Ordinal);

        // A wrong label value on the 3rd data row (line 4).
        var lines = Encoding.UTF8.GetString(good).Split('\n');
        var header = lines[0].Split(',');
        var labelIndex = Array.IndexOf(header, "income");
        var cells = lines[3].Split(',');
        cells[labelIndex] = "maybe";
        lines[3] = string.Join(',', cells);
        var (_, labelProblem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "label.csv", Encoding.UTF8.GetBytes(string.Join('\n', lines))));
        Assert.StartsWith("Line 4, column 'income': 'maybe' is not one of the competition's label values", labelProblem, StringComparison.Ordinal);

        // Over 200 MB.
        var (_, sizeProblem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "huge.csv", new byte[CompetitionDraft.MaxDataBytes + 1]));
        Assert.Equal("The file is larger than the limit of 200 MB.", sizeProblem);

        await using (var scope = platform.Scope())
            Assert.False(await platform.NewDb(scope).DeployerUploads.AnyAsync(u => u.OwnerId == ownerId));

        // A replay started twice: one run, and a sentence.
        var (uploadId, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "good.csv", good));
        var starts = await Task.WhenAll(UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)), UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)));
        Assert.Single(starts, s => s is null);
        Assert.Single(starts, s => s == DeployerUploads.AlreadyStarted);
        Assert.Equal(DeployerUploads.AlreadyStarted, await UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)));
        await using (var scope = platform.Scope())
            Assert.Equal(1, await platform.NewDb(scope).ReplayRuns.CountAsync(r => r.UploadId == uploadId));
    }

    private async Task<(Competition Competition, string OrganizerId)> SpeechCompetitionAsync()
    {
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        await using var scope = platform.Scope();
        var competition = await CompetitionBuilder.New("Speech replay").OrganizedBy(organizerId).SaveWithSpeechDemoDataAsync(scope);
        var features = competition.Schema().Features.Select(f => f.Name).ToArray();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<DeployerInvitations>().SaveProtectedColumnsAsync(competition.Id, ["speaker_gender", "noise"], features, organizerId));
        return (competition, organizerId);
    }

    [Fact]
    public async Task EvaluationTable_OfTheDeployersOwn_IsReplayed_WithThePlantedGroupFlagged_ClusteredBySpeaker_AndPrivate()
    {
        var (competition, organizerId) = await SpeechCompetitionAsync();
        var (ownerId, email) = await DeployerAsync(competition, organizerId);
        var (otherId, otherEmail) = await DeployerAsync(competition, organizerId);
        var table = await DeployerArrange.PlantedSpeechCsvAsync(platform, competition);

        var (uploadId, problem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "our-clinic.csv", table));
        Assert.True(uploadId is not null, problem);
        Assert.Null(await UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)));
        var run = await FinishedRunAsync(uploadId!.Value);

        Assert.True(run.State == ReplayState.Done, run.FailureReason);
        var report = ReplayReports.FromJson(run.ReportJson!);
        Assert.True(report.EvaluationTable);
        Assert.Equal("wer", report.Metric);
        Assert.Equal("speaker_id", report.ClusterColumn);
        var version = Assert.Single(report.Versions);
        Assert.Equal(0, version.Version); // no system version published: the table the competition opened with
        Assert.True(version.Clusters >= 8 && version.Lower < version.Error && version.Error < version.Upper);
        var planted = Assert.Single(version.Groups, g => g.Expression == DeployerArrange.PlantedSpeech);
        Assert.Equal(1.0, planted.Error, 6);
        Assert.True(planted.LastMile && planted.GapOnHoldout == false && planted.Clusters >= 2);
        Assert.Contains(report.Flags, f => f.Kind == Scoring.Replay.ReplayFlagKind.LastMileGap && f.Expression == DeployerArrange.PlantedSpeech);
        Assert.Contains(version.Groups, g => g.Expression == "noise == \"quiet\"" && g.Source == Scoring.Replay.ReplayGroupSource.Protected);
        Assert.Equal(Scoring.Replay.EvaluationTableReplay.DiscoveryNote, report.DiscoveryNote);

        var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, email);
        var upload = await client.GetStringAsync($"/deploy/{competition.Slug}");
        Assert.Contains("Your own evaluation table", upload, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"deployer-no-model\"", upload, StringComparison.Ordinal);
        var page = await client.GetStringAsync($"/deploy/replays/{run.Id}");
        Assert.Contains("last-mile gap", page, StringComparison.Ordinal);
        Assert.Contains("clustered by speaker_id", page, StringComparison.Ordinal);
        Assert.Contains("The automatic search is not run on an evaluation table", page, StringComparison.Ordinal);
        Assert.Contains("last-mile-gap", await client.GetStringAsync($"/deploy/replays/{run.Id}/report.json"), StringComparison.Ordinal);
        var csv = await client.GetStringAsync($"/deploy/replays/{run.Id}/report.csv");
        Assert.Contains("\"speaker_gender == \"\"female\"\" and noise == \"\"quiet\"\"\",protected-pair", csv, StringComparison.Ordinal);
        Assert.EndsWith(",clusters", csv.Split('\n')[0].TrimEnd('\r'), StringComparison.Ordinal);

        // Another deployer of the same competition sees neither the table nor its report.
        var other = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(other, otherEmail);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/deploy/replays/{run.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/deploy/replays/{run.Id}/report.csv")).StatusCode);
        Assert.DoesNotContain("our-clinic.csv", await other.GetStringAsync($"/deploy/{competition.Slug}"), StringComparison.Ordinal);
        Assert.False(await UploadsAsync((u, _) => u.DeleteAsync(uploadId.Value, otherId)));

        // Deleted for good by its owner, with its report.
        Assert.True(await UploadsAsync((u, _) => u.DeleteAsync(uploadId.Value, ownerId)));
        await using var scope = platform.Scope();
        Assert.False(await platform.NewDb(scope).ReplayRuns.AnyAsync(r => r.Id == run.Id));
    }

    [Fact]
    public async Task EvaluationTable_BadInput_IsAMessageNamingLineAndColumn_AndNothingIsStored()
    {
        var (competition, organizerId) = await SpeechCompetitionAsync();
        var (ownerId, _) = await DeployerAsync(competition, organizerId);
        var good = Encoding.UTF8.GetString(await DeployerArrange.PlantedSpeechCsvAsync(platform, competition));

        // Another schema: the tabular demo's rows.
        var (_, schemaProblem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "adult.csv", Encoding.UTF8.GetBytes("age,race,income\n30,White,>50K\n")));
        Assert.StartsWith("Your table does not fit the competition's evaluation table: adult.csv lacks 'accent'", schemaProblem, StringComparison.Ordinal);
        Assert.Contains("has 'age', 'race', 'income', which the competition's table does not", schemaProblem, StringComparison.Ordinal);

        // A speaker missing on the 3rd data row (line 4), and a negative error count.
        var lines = good.Split('\n');
        var header = lines[0].Split(',');
        string Edit(string column, string value)
        {
            var copy = (string[])lines.Clone();
            var cells = copy[3].Split(',');
            cells[Array.IndexOf(header, column)] = value;
            copy[3] = string.Join(',', cells);
            return string.Join('\n', copy);
        }
        var (_, speakerProblem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "t.csv", Encoding.UTF8.GetBytes(Edit("speaker_id", ""))));
        Assert.StartsWith("Your table does not fit the competition's evaluation table: t.csv, line 4, column 'speaker_id': the speaker_id is missing", speakerProblem, StringComparison.Ordinal);
        var (_, lossProblem) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "t.csv", Encoding.UTF8.GetBytes(Edit("word_errors", "-1"))));
        Assert.Contains("line 4, column 'word_errors': the error count must not be negative", lossProblem, StringComparison.Ordinal);
        await using (var scope = platform.Scope())
            Assert.False(await platform.NewDb(scope).DeployerUploads.AnyAsync(u => u.OwnerId == ownerId));

        // A replay started twice: one run, and a sentence.
        var (uploadId, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, ownerId, "good.csv", Encoding.UTF8.GetBytes(good)));
        var starts = await Task.WhenAll(UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)), UploadsAsync((u, _) => u.StartReplayAsync(uploadId!.Value, ownerId)));
        Assert.Single(starts, s => s is null);
        Assert.Single(starts, s => s == DeployerUploads.AlreadyStarted);
        await using (var scope = platform.Scope())
            Assert.Equal(1, await platform.NewDb(scope).ReplayRuns.CountAsync(r => r.UploadId == uploadId));
    }

    [Fact]
    public async Task Revoking_AnInvitation_EndsTheAccess_DeletesThatDeployersFilesAndReportsForGood_AndIsAudited()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (revokedId, revokedEmail) = await DeployerAsync(competition, organizerId);
        var (keptId, _) = await DeployerAsync(competition, organizerId);
        var csv = await DeployerCsvAsync(competition, 600);
        var (revokedUpload, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, revokedId, "theirs.csv", csv));
        Assert.Null(await UploadsAsync((u, _) => u.StartReplayAsync(revokedUpload!.Value, revokedId)));
        var run = await FinishedRunAsync(revokedUpload!.Value);
        var (keptUpload, _) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, keptId, "kept.csv", csv));
        Guid invitationId, pendingId;
        await using (var scope = platform.Scope())
        {
            var invitations = scope.ServiceProvider.GetRequiredService<DeployerInvitations>();
            Assert.Null(await invitations.InviteAsync(competition.Id, "nobody-yet@example.org", organizerId));
            var db = platform.NewDb(scope);
            invitationId = await db.DeployerInvitations.Where(i => i.CompetitionId == competition.Id && i.NormalizedEmail == revokedEmail.ToUpperInvariant()).Select(i => i.Id).SingleAsync();
            pendingId = await db.DeployerInvitations.Where(i => i.CompetitionId == competition.Id && i.Email == "nobody-yet@example.org").Select(i => i.Id).SingleAsync();
        }

        await using (var scope = platform.Scope())
        {
            var invitations = scope.ServiceProvider.GetRequiredService<DeployerInvitations>();
            Assert.Null(await invitations.RevokeAsync(competition.Id, invitationId, organizerId));
            Assert.Null(await invitations.RevokeAsync(competition.Id, pendingId, organizerId));
            Assert.Equal("That invitation was already revoked.", await invitations.RevokeAsync(competition.Id, invitationId, organizerId));
        }

        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            Assert.False(await db.DeployerUploads.AnyAsync(u => u.Id == revokedUpload));
            Assert.False(await db.ReplayRuns.AnyAsync(r => r.Id == run.Id));
            Assert.True(await db.DeployerUploads.AnyAsync(u => u.Id == keptUpload), "another deployer's file stays");
            Assert.False(await db.DeployedBy(revokedId).AnyAsync(c => c.Id == competition.Id));
            var events = await db.AuditEvents.Where(e => e.CompetitionId == competition.Id && e.Kind == DeployerInvitations.RevokedEvent).ToListAsync();
            Assert.Equal(2, events.Count);
            Assert.All(events, e => Assert.Equal(organizerId, e.ActorId));
            Assert.Contains(events, e => e.UserId == revokedId && e.Detail!.Contains("1 deployer file(s)", StringComparison.Ordinal));
            Assert.Contains(events, e => e.UserId == null && e.Detail!.StartsWith("pending invitation revoked", StringComparison.Ordinal));
            Assert.True(await db.Notifications.AnyAsync(n => n.UserId == revokedId && n.Title.Contains("revoked")));
        }
        var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignedInClient.SignInAsync(client, revokedEmail);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/deploy/{competition.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/deploy/replays/{run.Id}/report.json")).StatusCode);
        var (refused, message) = await UploadsAsync((u, _) => u.AddAsync(competition.Id, revokedId, "again.csv", csv));
        Assert.Null(refused);
        Assert.Equal("You are not a deployer of this competition.", message);
    }

    [Fact]
    public async Task Invitation_OfAnAddressTwice_OrOfNoAddress_IsAMessage()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var (_, email) = await DeployerAsync(competition, organizerId);
        await using var scope = platform.Scope();
        var invitations = scope.ServiceProvider.GetRequiredService<DeployerInvitations>();

        Assert.Equal($"{email} is already invited.", await invitations.InviteAsync(competition.Id, email, organizerId));
        Assert.Equal("'not-an-address' is not an e-mail address.", await invitations.InviteAsync(competition.Id, "not-an-address", organizerId));
        Assert.Equal("'nope' is not a feature column of this competition.",
            await invitations.SaveProtectedColumnsAsync(competition.Id, ["nope"], ["race"], organizerId));
    }

    [Fact]
    public async Task DeployersPage_IsTheOrganizers_AndHasTheInviteForm()
    {
        var (competition, organizerId) = await CompetitionAsync();
        var participant = await SignedInClient.CreateAsync(platform, Roles.Participant);
        Assert.NotEqual(HttpStatusCode.OK, (await participant.GetAsync($"/organize/{competition.Slug}/deployers")).StatusCode);
        var otherOrganizer = await SignedInClient.CreateAsync(platform, Roles.Organizer);
        Assert.Equal(HttpStatusCode.NotFound, (await otherOrganizer.GetAsync($"/organize/{competition.Slug}/deployers")).StatusCode);

        var client = platform.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await using (var scope = platform.Scope())
        {
            var email = await platform.NewDb(scope).Users.Where(u => u.Id == organizerId).Select(u => u.Email!).SingleAsync();
            await SignedInClient.SignInAsync(client, email);
        }
        var page = await client.GetStringAsync($"/organize/{competition.Slug}/deployers");
        Assert.Contains("data-testid=\"invite-deployer\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"protected-race\"", page, StringComparison.Ordinal);
        await DeployerAsync(competition, organizerId);
        page = await client.GetStringAsync($"/organize/{competition.Slug}/deployers");
        Assert.Contains("data-testid=\"revoke-deployer\"", page, StringComparison.Ordinal);
        Assert.Contains("deletes their files and replay reports for this competition for good", page, StringComparison.Ordinal);
    }
}
