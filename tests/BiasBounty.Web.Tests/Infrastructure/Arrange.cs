using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>Rows the tests need, written straight to the database the way the (later) submit slice will.</summary>
public static class Arrange
{
    /// <summary>Married people: a group whose gradient-boosted fix the demo competition accepts (as in the CLI demo).</summary>
    public const string MarriedGroup = "marital-status == \"Married-civ-spouse\"";

    private static readonly Lazy<byte[]> MarriedFix = new(() =>
    {
        var data = CsvDatasetLoader.Load(Path.Combine(DemoSeeder.DataFolder(null, AppContext.BaseDirectory), "adult.data.gz"));
        var rows = SubgroupExpression.Compile(MarriedGroup, data).Evaluate(data).ToIndices();
        return GradientBoostedTreesTrainer.Train(data, LabelDomain.Of(data), rows).ToOnnx();
    });

    public static byte[] MarriedFixModel => MarriedFix.Value;

    /// <summary>A fix for the married group trained on the opposite labels: wrong wherever it can be, so it is rejected.</summary>
    private static readonly Lazy<byte[]> MarriedWrongFix = new(() =>
    {
        var data = CsvDatasetLoader.Load(Path.Combine(DemoSeeder.DataFolder(null, AppContext.BaseDirectory), "adult.data.gz"));
        var rows = SubgroupExpression.Compile(MarriedGroup, data).Evaluate(data).ToIndices();
        var inverted = LabelDomain.Of(data).Encode(data).Select(y => 1f - y).ToArray();
        return GradientBoostedTreesTrainer.Train(data, inverted, classification: true, rows).ToOnnx();
    });

    public static byte[] MarriedWrongFixModel => MarriedWrongFix.Value;

    public static async Task<Competition> DemoCompetitionAsync(ApplicationDbContext db) =>
        await db.Competitions.SingleAsync(c => c.Slug == DemoSeeder.Slug);

    /// <summary>A participant with a team of one in the competition.</summary>
    public static async Task<(ApplicationUser User, Team Team)> TeamAsync(ApplicationDbContext db, Guid competitionId, string name)
    {
        var user = await UserAsync(db, name);
        return (user, await TeamOfAsync(db, competitionId, user, name));
    }

    /// <summary>A confirmed participant account (no team yet).</summary>
    public static async Task<ApplicationUser> UserAsync(ApplicationDbContext db, string displayName)
    {
        var email = $"{displayName.ToLowerInvariant().Replace(' ', '-')}-{Guid.NewGuid():N}@example.org";
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    /// <summary>A team whose one member is <paramref name="user"/>.</summary>
    public static async Task<Team> TeamOfAsync(ApplicationDbContext db, Guid competitionId, ApplicationUser user, string name)
    {
        var team = new Team { CompetitionId = competitionId, Name = name };
        team.Members.Add(new TeamMember { CompetitionId = competitionId, UserId = user.Id });
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        return team;
    }

    /// <summary>A queued submission with its "created" audit event; the fix (when given) is stored as a model file.</summary>
    public static async Task<Submission> SubmissionAsync(ApplicationDbContext db, Competition competition, ApplicationUser user, Team team,
        string expression, byte[]? fix = null)
    {
        StoredFile? fixFile = null;
        if (fix is not null)
        {
            fixFile = await db.StoredFiles.SingleOrDefaultAsync(f => f.CompetitionId == competition.Id && f.Kind == StoredFileKind.Model
                && f.ContentHash == StoredFile.Create(competition.Id, StoredFileKind.Model, "", fix, null).ContentHash)
                ?? StoredFile.Create(competition.Id, StoredFileKind.Model, "fix.onnx", fix);
        }
        var submission = new Submission
        {
            CompetitionId = competition.Id, TeamId = team.Id, UserId = user.Id, Expression = expression,
            FixModelFile = fixFile, Metric = Metric.Error,
        };
        submission.TryParseExpression();
        db.Submissions.Add(submission);
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competition.Id, SubmissionId = submission.Id, UserId = user.Id, Kind = AuditEvent.SubmissionCreated,
            ToState = nameof(SubmissionState.Queued),
        });
        await db.SaveChangesAsync();
        return submission;
    }

    /// <summary>A new team of one in the demo competition with one queued submission; returns the submission's id.</summary>
    public static async Task<Guid> DemoSubmissionAsync(PlatformFactory platform, string teamName, string expression, byte[]? fix = null)
    {
        await using var scope = platform.Scope();
        var db = platform.NewDb(scope);
        var competition = await DemoCompetitionAsync(db);
        var (user, team) = await TeamAsync(db, competition.Id, teamName);
        return (await SubmissionAsync(db, competition, user, team, expression, fix)).Id;
    }

    /// <summary>Polls until the submission reaches a final state (the worker runs in the background).</summary>
    public static async Task<Submission> FinishedAsync(PlatformFactory platform, Guid submissionId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            await using var scope = platform.Scope();
            var submission = await platform.NewDb(scope).Submissions.AsNoTracking().SingleAsync(s => s.Id == submissionId);
            if (submission.IsFinished) return submission;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"submission {submissionId} is still {submission.State} after the timeout");
            await Task.Delay(200);
        }
    }
}
