using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Teams;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>A signed-in participant: the HTTP client, the account and the team they are in.</summary>
public sealed record Participant(HttpClient Client, ApplicationUser User, Team Team);

/// <summary>Participants with teams and scored submissions, for the participant pages' tests.</summary>
public static class ParticipantArrange
{
    /// <summary>A new participant (signed in through the login form) in a new team of the demo competition, or in <paramref name="team"/>.</summary>
    public static async Task<Participant> MemberAsync(PlatformFactory platform, string teamName, Team? team = null, params string[] roles)
    {
        var (id, email) = await SignedInClient.UserAsync(platform, roles.Length == 0 ? [Roles.Participant] : roles);
        var client = await SignedInClient.CreateAsync(platform);
        await SignedInClient.SignInAsync(client, email);
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var user = await db.Users.SingleAsync(u => u.Id == id);
        if (team is null)
            team = await Arrange.TeamOfAsync(db, (await Arrange.DemoCompetitionAsync(db)).Id, user, teamName);
        else
        {
            db.TeamMembers.Add(new TeamMember { TeamId = team.Id, CompetitionId = team.CompetitionId, UserId = id });
            await db.SaveChangesAsync();
        }
        return new Participant(client, user, team);
    }

    /// <summary>A queued submission of the member's team in the demo competition (not enqueued).</summary>
    public static async Task<Guid> SubmissionAsync(PlatformFactory platform, Participant member, string expression)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        return (await Arrange.SubmissionAsync(db, await Arrange.DemoCompetitionAsync(db), member.User, member.Team, expression)).Id;
    }

    /// <summary>A submission of the member's team, scored by the real job (the released view and the points are the engine's).</summary>
    public static async Task<Guid> ScoredSubmissionAsync(PlatformFactory platform, Participant member, string expression)
    {
        var id = await SubmissionAsync(platform, member, expression);
        await platform.RunScoringJobAsync(id);
        return id;
    }

    public static IDocument Html(string html) => new HtmlParser().ParseDocument(html);
}
