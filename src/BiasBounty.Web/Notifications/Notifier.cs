using System.Text.Encodings.Web;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Notifications;

/// <summary>What to tell a team: a kind (<see cref="Notification.Verdict"/> and so on), a title, plain text and a link
/// relative to the site, e.g. <c>submissions/{id}</c>.</summary>
public sealed record TeamMessage(Guid CompetitionId, Guid? SubmissionId, string Kind, string Title, string Body, string? Link);

/// <summary>A team member a message reaches: the notification centre always, e-mail when the address is confirmed.</summary>
public sealed record TeamRecipient(string Id, string? Email, bool EmailConfirmed);

/// <summary>The members of a team, read by <see cref="Notifier.RecipientsAsync"/>.</summary>
public sealed record TeamRecipients(IReadOnlyList<TeamRecipient> Members);

/// <summary>
/// Tells every member of a team: a row in each member's notification centre and an e-mail in the outbox. Both are only
/// added to the caller's <see cref="ApplicationDbContext"/>: they are saved with the change they announce, in its
/// transaction (a verdict and its notice never part).
/// </summary>
public sealed class Notifier(ApplicationDbContext db, IOptions<PlatformOptions> platform)
{
    public async Task TellTeamAsync(Guid teamId, TeamMessage message, CancellationToken ct = default) =>
        Tell(await RecipientsAsync(teamId, ct), message);

    /// <summary>
    /// The team's members, read ahead of <see cref="Tell"/>: a caller that writes under a lock reads them before taking
    /// it, so the lock is held for the write only.
    /// </summary>
    public async Task<TeamRecipients> RecipientsAsync(Guid teamId, CancellationToken ct = default) =>
        new(await db.TeamMembers.Where(m => m.TeamId == teamId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new TeamRecipient(u.Id, u.Email, u.EmailConfirmed))
            .ToListAsync(ct));

    /// <summary>Adds the notices of <paramref name="message"/> for <paramref name="recipients"/> (saved by the caller).</summary>
    public void Tell(TeamRecipients recipients, TeamMessage message)
    {
        foreach (var member in recipients.Members)
        {
            db.Notifications.Add(new Notification
            {
                UserId = member.Id, CompetitionId = message.CompetitionId, SubmissionId = message.SubmissionId,
                Kind = message.Kind, Title = message.Title, Body = message.Body, Link = message.Link,
            });
            if (member is { Email: { Length: > 0 } email, EmailConfirmed: true })
                db.Outbox.Add(new OutboxEmail { To = email, Subject = "BiasBounty: " + message.Title, HtmlBody = Html(message) });
        }
    }

    private string Html(TeamMessage message)
    {
        var html = $"<p>{HtmlEncoder.Default.Encode(message.Body)}</p>";
        if (message.Link is { } link)
        {
            var url = new Uri(new Uri(platform.Value.PublicUrl), link).ToString();
            html += $"<p><a href=\"{HtmlEncoder.Default.Encode(url)}\">Open it on BiasBounty</a></p>";
        }
        return html + "<p>You get this because you are in a team on BiasBounty; the notification centre has every message.</p>";
    }
}
