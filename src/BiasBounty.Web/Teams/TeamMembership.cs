using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Teams;

/// <summary>The outcome of creating or joining a team: the team, or a message for the form.</summary>
public sealed record TeamResult(Team? Team, string? Error)
{
    public static TeamResult Fail(string error) => new(null, error);
}

/// <summary>A member as the team page lists them: display name (or the e-mail's local part) and, for fellow members, the e-mail.</summary>
/// <param name="Name">The member's display name (never drawn from the e-mail).</param>
/// <param name="Email">The e-mail address of the member who is viewing, and of no one else.</param>
public sealed record TeamMemberView(string UserId, string Name, string? Email, DateTimeOffset JoinedAt);

/// <summary>What a member sees of their team.</summary>
public sealed record TeamView(Guid Id, string Name, string InviteCode, Guid CompetitionId, string CompetitionSlug, string CompetitionName,
    CompetitionStatus CompetitionStatus, IReadOnlyList<TeamMemberView> Members)
{
    public bool CanLeave => CompetitionStatus != CompetitionStatus.Closed;
}

/// <summary>
/// Teams slice: a user is in at most one team per competition; a team is created with a name or joined with its
/// invite code, and a user who submits without one gets a team of one.
/// </summary>
public sealed class TeamMembership(ApplicationDbContext db)
{
    public const int MaxNameLength = 100;

    /// <summary>The audit kind of a member leaving a team (the organizers' audit log shows it).</summary>
    public const string LeftAuditKind = "team.left";

    public Task<Team?> ForUserAsync(Guid competitionId, string userId, CancellationToken ct = default) =>
        db.Teams.Include(t => t.Members)
            .Where(t => t.CompetitionId == competitionId && t.Members.Any(m => m.UserId == userId))
            .SingleOrDefaultAsync(ct);

    public async Task<TeamResult> CreateAsync(Guid competitionId, string userId, string? name, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length == 0) return TeamResult.Fail("Give your team a name.");
        if (name.Length > MaxNameLength) return TeamResult.Fail($"A team name has at most {MaxNameLength} characters.");
        if (!await db.Competitions.AnyAsync(c => c.Id == competitionId, ct)) return TeamResult.Fail("There is no such competition.");
        if (await ForUserAsync(competitionId, userId, ct) is { } current) return TeamResult.Fail($"You are already in team “{current.Name}”.");
        if (await db.Teams.AnyAsync(t => t.CompetitionId == competitionId && t.Name == name, ct))
            return TeamResult.Fail($"A team called “{name}” already exists in this competition.");
        return await SaveAsync(NewTeam(competitionId, userId, name), ct)
            ?? TeamResult.Fail($"A team called “{name}” already exists in this competition, or you joined one meanwhile.");
    }

    public async Task<TeamResult> JoinAsync(string userId, string? inviteCode, CancellationToken ct = default)
    {
        var code = inviteCode?.Trim().ToUpperInvariant() ?? "";
        if (code.Length == 0) return TeamResult.Fail("Enter the invite code a team member gave you.");
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.InviteCode == code, ct);
        if (team is null) return TeamResult.Fail("No team has this invite code.");
        if (await ForUserAsync(team.CompetitionId, userId, ct) is { } current)
            return current.Id == team.Id ? new TeamResult(current, null) : TeamResult.Fail($"You are already in team “{current.Name}” in this competition.");
        team.Members.Add(new TeamMember { CompetitionId = team.CompetitionId, UserId = userId });
        try
        {
            await db.SaveChangesAsync(ct);
            return new TeamResult(team, null);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return TeamResult.Fail("You joined another team in this competition meanwhile.");
        }
    }

    /// <summary>The team with its members, or null when it does not exist or <paramref name="userId"/> is not a member.</summary>
    public async Task<TeamView?> ViewAsync(Guid teamId, string userId, CancellationToken ct = default)
    {
        var team = await db.Teams.AsNoTracking().Where(t => t.Id == teamId && t.Members.Any(m => m.UserId == userId))
            .Join(db.Competitions, t => t.CompetitionId, c => c.Id, (t, c) => new { t.Id, t.Name, t.InviteCode, t.CompetitionId, c.Slug, CompetitionName = c.Name, c.Status })
            .SingleOrDefaultAsync(ct);
        if (team is null) return null;
        var members = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == teamId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, u.Email, m.JoinedAt })
            .OrderBy(m => m.JoinedAt).ToListAsync(ct);
        return new TeamView(team.Id, team.Name, team.InviteCode, team.CompetitionId, team.Slug, team.CompetitionName, team.Status,
            members.Select(m => new TeamMemberView(m.Id, Accounts.DisplayNames.For(m.Id, m.DisplayName), m.Id == userId ? m.Email : null, m.JoinedAt)).ToArray());
    }

    /// <summary>
    /// The user leaves the team. The team, its submissions and its points stay (the last member leaving leaves an empty
    /// team that keeps them); the user may then create or join another team in the competition. The invite code is
    /// renewed, so a former member needs a current member to come back. Refused once the competition is closed: the
    /// payout ledger is computed over the teams as they were at the close.
    /// </summary>
    public async Task<TeamResult> LeaveAsync(Guid teamId, string userId, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.Id == teamId, ct);
        var membership = team?.Members.SingleOrDefault(m => m.UserId == userId);
        if (team is null || membership is null) return TeamResult.Fail("You are not in this team.");
        var status = await db.Competitions.Where(c => c.Id == team.CompetitionId).Select(c => c.Status).SingleAsync(ct);
        if (status == CompetitionStatus.Closed)
            return TeamResult.Fail("The competition is closed: its teams are final, and the rewards are paid to them as they were at the close.");
        team.Members.Remove(membership);
        team.InviteCode = Team.NewInviteCode();
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = team.CompetitionId, UserId = userId, ActorId = userId, Kind = LeftAuditKind,
            Detail = $"left team “{team.Name}” ({team.Members.Count} member(s) remain)",
        });
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new TeamResult(team, null);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return TeamResult.Fail("The team changed meanwhile; try again.");
        }
    }

    /// <summary>
    /// The DisplayNames migration: a team whose name is a member's e-mail local part (as teams of one were named, with an
    /// optional " n") is renamed "team-" and eight hex digits of its id, so no part of an address stays on the leaderboard.
    /// </summary>
    public const string RenameEmailNamedTeamsSql =
        """
        UPDATE "Teams" t SET "Name" = 'team-' || substr(md5(t."Id"::text), 1, 8)
        WHERE EXISTS (SELECT 1 FROM "TeamMembers" m JOIN "AspNetUsers" u ON u."Id" = m."UserId"
                      WHERE m."TeamId" = t."Id" AND u."Email" IS NOT NULL
                        AND (t."Name" = split_part(u."Email", '@', 1) OR t."Name" ~ ('^' || regexp_replace(split_part(u."Email", '@', 1), '([^A-Za-z0-9])', '\\\1', 'g') || ' [0-9]+$')));
        """;

    /// <summary>The user's team, or a new team of one named after them (made unique with a number).</summary>
    public async Task<Team> EnsureTeamAsync(Guid competitionId, string userId, CancellationToken ct = default)
    {
        if (await ForUserAsync(competitionId, userId, ct) is { } team) return team;
        var displayName = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync(ct);
        var baseName = Truncate(Accounts.DisplayNames.For(userId, displayName), MaxNameLength - 4);
        for (var n = 1; ; n++)
        {
            var name = n == 1 ? baseName : $"{baseName} {n}";
            if (await db.Teams.AnyAsync(t => t.CompetitionId == competitionId && t.Name == name, ct)) continue;
            if ((await SaveAsync(NewTeam(competitionId, userId, name), ct))?.Team is { } created) return created;
            if (await ForUserAsync(competitionId, userId, ct) is { } raced) return raced;
        }
    }

    private static Team NewTeam(Guid competitionId, string userId, string name)
    {
        var team = new Team { CompetitionId = competitionId, Name = name };
        team.Members.Add(new TeamMember { CompetitionId = competitionId, UserId = userId });
        return team;
    }

    /// <summary>Saves a new team; null when a unique index (name, membership, invite code) refused it.</summary>
    private async Task<TeamResult?> SaveAsync(Team team, CancellationToken ct)
    {
        db.Teams.Add(team);
        try
        {
            await db.SaveChangesAsync(ct);
            return new TeamResult(team, null);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return null;
        }
    }


    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
