using System.ComponentModel.DataAnnotations;
using System.Text.Encodings.Web;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Audit;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Deployers;

/// <summary>The organizer's side: inviting deployers by e-mail and marking the protected columns.</summary>
public sealed class DeployerInvitations(ApplicationDbContext db, TimeProvider time, IOptions<PlatformOptions> platform)
{
    public const string InvitedEvent = "deployer.invited";

    public const string ProtectedColumnsEvent = "protected-columns.changed";

    public const string RevokedEvent = "deployer.revoked";

    /// <summary>What revoking does to a deployer's data, as the organizer's page and the deployer's upload page state it.</summary>
    public const string RevocationDeletes =
        "Revoking an invitation ends that deployer's access at once and deletes their files and replay reports for this competition for good: they are the deployer's, and nobody keeps a copy.";

    /// <summary>
    /// Revokes an invitation (pending, or of a deployer who has uploaded): the invitation goes, and with it, in the same
    /// transaction, every upload and report of this competition whose owner is no longer its deployer — a privacy-minded
    /// deployer expects data they can no longer use not to linger. An audit event and, when the address has an account,
    /// a notification. Null, or a message.
    /// </summary>
    public async Task<string?> RevokeAsync(Guid competitionId, Guid invitationId, string organizerId, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var invitation = await db.DeployerInvitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.CompetitionId == competitionId, ct);
        if (invitation is null) return "That invitation was already revoked.";
        db.DeployerInvitations.Remove(invitation);
        await db.SaveChangesAsync(ct);
        // Owners of this competition's uploads who are deployers no longer (by the address revoked, or any other way).
        var stillDeployers = db.Users.Where(u => u.EmailConfirmed && db.DeployerInvitations.Any(i => i.CompetitionId == competitionId && i.NormalizedEmail == u.NormalizedEmail)).Select(u => u.Id);
        var orphaned = db.DeployerUploads.Where(u => u.CompetitionId == competitionId && !stillDeployers.Contains(u.OwnerId));
        await db.ReplayRuns.Where(r => orphaned.Any(u => u.Id == r.UploadId)).ExecuteDeleteAsync(ct);
        var files = await orphaned.ExecuteDeleteAsync(ct);
        var competition = await db.Competitions.AsNoTracking().Where(c => c.Id == competitionId).Select(c => c.Name).SingleAsync(ct);
        var user = await db.Users.Where(u => u.NormalizedEmail == invitation.NormalizedEmail).Select(u => u.Id).FirstOrDefaultAsync(ct);
        if (user is not null)
            db.Notifications.Add(new Notification
            {
                UserId = user, CompetitionId = competitionId, Kind = "deployer", Title = $"Your invitation to replay '{competition}' was revoked",
                Body = "The organizer revoked your invitation. Your files and replay reports for this competition are deleted for good.", Link = "deploy",
            });
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = organizerId, UserId = user, Kind = RevokedEvent, At = time.GetUtcNow(),
            Detail = $"{(user is null ? "pending invitation" : "invitation")} revoked; {files} deployer file(s) and their reports deleted",
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>Invites <paramref name="email"/> to deploy the competition: the invitation, an e-mail and, when the address has an account, a notification. Null or a message.</summary>
    public async Task<string?> InviteAsync(Guid competitionId, string? email, string organizerId, CancellationToken ct = default)
    {
        var address = (email ?? "").Trim();
        if (address.Length == 0) return "Type the deployer's e-mail address.";
        if (address.Length > 256 || !new EmailAddressAttribute().IsValid(address) || !address.Contains('.', StringComparison.Ordinal))
            return $"'{address}' is not an e-mail address.";
        var normalized = address.ToUpperInvariant();
        var competition = await db.Competitions.AsNoTracking().Where(c => c.Id == competitionId).Select(c => new { c.Name, c.Slug }).SingleAsync(ct);
        if (await db.DeployerInvitations.AnyAsync(i => i.CompetitionId == competitionId && i.NormalizedEmail == normalized, ct))
            return $"{address} is already invited.";
        db.DeployerInvitations.Add(new DeployerInvitation
        {
            CompetitionId = competitionId, Email = address, NormalizedEmail = normalized, InvitedBy = organizerId, InvitedAt = time.GetUtcNow(),
        });
        var link = $"deploy/{competition.Slug}";
        var body = $"You are invited to replay the model of '{competition.Name}' on your own labelled data: upload it, and see the error of " +
                   "every version on your rows, by group. Your data stays private to you. Sign in (or register) with this e-mail address and confirm it.";
        var url = new Uri(new Uri(platform.Value.PublicUrl), link).ToString();
        db.Outbox.Add(new OutboxEmail
        {
            To = address, Subject = $"BiasBounty: replay '{competition.Name}' on your data",
            HtmlBody = $"<p>{HtmlEncoder.Default.Encode(body)}</p><p><a href=\"{HtmlEncoder.Default.Encode(url)}\">Open it on BiasBounty</a></p>",
        });
        var user = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).FirstOrDefaultAsync(ct);
        if (user is not null)
            db.Notifications.Add(new Notification
            {
                UserId = user, CompetitionId = competitionId, Kind = "deployer", Title = $"Replay '{competition.Name}' on your data", Body = body, Link = link,
            });
        db.AuditEvents.Add(new AuditEvent { CompetitionId = competitionId, ActorId = organizerId, UserId = user, Kind = InvitedEvent, At = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return $"{address} is already invited.";
        }
        return null;
    }

    /// <summary>Marks the protected columns (feature columns of the competition's schema, at most 6). Null or a message.</summary>
    public async Task<string?> SaveProtectedColumnsAsync(Guid competitionId, IReadOnlyCollection<string> columns, IReadOnlyCollection<string> features, string organizerId, CancellationToken ct = default)
    {
        if (columns.FirstOrDefault(c => !features.Contains(c)) is { } unknown) return $"'{unknown}' is not a feature column of this competition.";
        if (columns.Count > MaxProtectedColumns) return $"Mark at most {MaxProtectedColumns} columns: every pair of their values is measured.";
        var competition = await db.Competitions.SingleAsync(c => c.Id == competitionId, ct);
        competition.ProtectedColumns = features.Where(columns.Contains).ToList();
        db.AuditEvents.Add(new AuditEvent { CompetitionId = competitionId, ActorId = organizerId, Kind = ProtectedColumnsEvent, Detail = string.Join(", ", competition.ProtectedColumns), At = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return null;
    }

    public const int MaxProtectedColumns = 6;
}
