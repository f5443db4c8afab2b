using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Review;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Rewards;

/// <summary>Closing the demo competition with a real approved fix and a submission still in the queue.</summary>
public sealed class ClosedCompetitionScoringTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Close_PaysTheApprovedFix_RefusesNewSubmissions_AndStillScoresTheQueue()
    {
        var fix = await Arrange.DemoSubmissionAsync(platform, "Fixers", Arrange.MarriedGroup, Arrange.MarriedFixModel);
        await platform.RunScoringJobAsync(fix);
        var queued = await Arrange.DemoSubmissionAsync(platform, "Late Team", "age >= 60");
        var (organizerId, _) = await SignedInClient.UserAsync(platform, Roles.Organizer);
        Competition demo;
        double fixPoints;
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            demo = await Arrange.DemoCompetitionAsync(db);
            var submission = await db.Submissions.SingleAsync(s => s.Id == fix);
            submission.Triage = TriageState.Approved;
            await db.SaveChangesAsync();
            fixPoints = (await db.Scores.SingleAsync(s => s.SubmissionId == fix)).Points;
            Assert.True(fixPoints > 0);
        }

        await using (var scope = platform.Scope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<CompetitionClosing>().CloseAsync(demo.Id, organizerId);
            Assert.True(outcome.Closed, outcome.Message);
            var line = Assert.Single(await scope.ServiceProvider.GetRequiredService<PayoutLedger>().LinesAsync(demo.Id));
            Assert.Equal(("Fixers", TeamPoints.Round(fixPoints), 1000m), (line.Team, line.Points, line.Amount));
        }

        // The submission queued before the close is still scored.
        await platform.RunScoringJobAsync(queued);
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            Assert.Equal(SubmissionState.Scored, (await db.Submissions.SingleAsync(s => s.Id == queued)).State);
            Assert.True(await db.Scores.AnyAsync(s => s.SubmissionId == queued));
        }

        // A new one is not.
        var (participantId, _) = await SignedInClient.UserAsync(platform, Roles.Participant);
        await using (var scope = platform.Scope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
                .SubmitAsync(new SubmitRequest(demo.Slug, participantId, "age >= 30", null, null));
            Assert.Equal(SubmitEntry.ClosedMessage, result.Errors[SubmitEntry.Fields.Competition]);
        }
    }
}
