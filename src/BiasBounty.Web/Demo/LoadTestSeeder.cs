using System.Security.Cryptography;
using System.Text;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Review;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using BiasBounty.Web.Hosting;

namespace BiasBounty.Web.Demo;

/// <summary>
/// For deploy/loadtest.sh only: fills the demo competition with <see cref="DemoOptions.LoadTestTeams"/> teams of
/// <see cref="DemoOptions.LoadTestSubmissionsPerTeam"/> scored submissions each (synthetic verdicts, some verified,
/// a few accepted fixes and disclosed findings). Off unless <c>BiasBounty:Demo:LoadTestTeams</c> is set; runs once.
/// </summary>
public sealed class LoadTestSeeder(ApplicationDbContext db, IOptions<DemoOptions> options, TimeProvider time, ILogger<LoadTestSeeder> log) : IStartupStep
{
    public const string TeamPrefix = "Load team ";

    private static readonly string[] Templates =
    [
        "age > {0}", "hours-per-week >= {0}", "age > {0} and sex == \"Female\"", "education-num >= {1} and race == \"White\"",
        "capital-gain > {2}", "marital-status == \"Never-married\" and age < {0}", "occupation == \"Sales\" and hours-per-week > {1}",
        "relationship == \"Husband\" and age >= {0}", "native-country == \"Mexico\" or education-num < {1}", "workclass == \"Private\" and capital-loss > {2}",
    ];

    public async Task RunAsync(CancellationToken ct)
    {
        var demo = options.Value;
        if (demo.LoadTestTeams <= 0) return;
        var competition = await db.Competitions.SingleOrDefaultAsync(c => c.Slug == DemoSeeder.Slug, ct);
        if (competition is null || await db.Teams.AnyAsync(t => t.CompetitionId == competition.Id && t.Name.StartsWith(TeamPrefix), ct)) return;

        log.LogWarning("Seeding {Teams} load-test teams × {Submissions} synthetic scored submissions into {Slug}", demo.LoadTestTeams, demo.LoadTestSubmissionsPerTeam, competition.Slug);
        var now = time.GetUtcNow();
        var n = 0;
        for (var t = 0; t < demo.LoadTestTeams; t++)
        {
            var email = $"load-{t:000}@biasbounty.local";
            var user = new ApplicationUser { UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(), DisplayName = Accounts.DisplayNames.Generate() };
            var team = new Team { CompetitionId = competition.Id, Name = $"{TeamPrefix}{t:000}" };
            team.Members.Add(new TeamMember { CompetitionId = competition.Id, UserId = user.Id });
            db.Users.Add(user);
            db.Teams.Add(team);
            for (var s = 0; s < demo.LoadTestSubmissionsPerTeam; s++, n++)
            {
                var expression = string.Format(System.Globalization.CultureInfo.InvariantCulture, Templates[(t + s) % Templates.Length], 18 + (t * 7 + s) % 60, 1 + s % 16, 100 * (s % 50));
                var at = now.AddMinutes(-10_000 + n);
                var submission = new Submission { CompetitionId = competition.Id, TeamId = team.Id, UserId = user.Id, Expression = expression, CreatedAt = at };
                submission.TryParseExpression();
                var verified = n % 3 == 0;
                var fix = n % 97 == 0;
                var score = SyntheticScores.Score(submission, expression, MaskHash(expression), verified || fix, fix, fix ? 40 : verified ? 5 : 0, at: at);
                if (n % 50 == 0)
                {
                    submission.Triage = TriageState.Approved;
                    submission.DiscloseAt = at;
                }
                db.Submissions.Add(submission);
                db.Scores.Add(score);
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        await PublicRevision.BumpAsync(db, competition.Id, ct);
    }

    private static string MaskHash(string expression) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expression)));
}
