using System.Security.Claims;
using BiasBounty.Web.Audit;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.OrganizerShell;
using BiasBounty.Web.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.ServiceCards;

/// <summary>What the organizer is told after an action on a card.</summary>
public sealed record CardOutcome(bool Done, string Message);

/// <summary>The organizer's text fields, as the form edits them.</summary>
public sealed record CardNotesInput(string IntendedUse, string OutOfScope, string EthicalConsiderations, string Caveats);

/// <summary>
/// Producing, publishing and withdrawing service cards, and saving the organizer's notes. Each change writes an audit
/// event with its actor in the same save. The card of a competition's final version is produced by
/// <see cref="ProduceFinalAsync"/>, enqueued when the competition closes (<see cref="FinalCardAtClose"/>); it is not
/// published by itself: the organizer reads it, adds the text only they can write, and publishes it.
/// </summary>
public sealed class ServiceCardProduction(ApplicationDbContext db, ServiceCardBuilder builder, TimeProvider time)
{
    /// <summary>Builds the card of <paramref name="version"/> and stores it (replacing an earlier one, keeping its publication).</summary>
    public async Task<CardOutcome> ProduceAsync(Guid competitionId, int version, string? actorId, CancellationToken ct = default)
    {
        var competition = await db.Competitions.AsNoTracking().Public().SingleOrDefaultAsync(c => c.Id == competitionId, ct);
        if (competition is null) return new(false, "There is no such competition.");
        var now = time.GetUtcNow();
        var document = await builder.BuildAsync(competition, version, now, ct);
        if (document is null) return new(false, $"Version {version} has not been published.");
        var card = await db.ServiceCards.SingleOrDefaultAsync(c => c.CompetitionId == competitionId && c.Version == version, ct);
        if (card is null) db.ServiceCards.Add(card = new ServiceCard { CompetitionId = competitionId, Version = version, DocumentJson = "" });
        card.DocumentJson = document.ToJson();
        card.ProducedAt = now;
        card.ProducedBy = actorId;
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.ServiceCardChanged, At = now,
            Detail = $"Service card of version {version} produced{(actorId is null ? " at the close" : "")}{(card.PublishedAt is null ? "" : "; it stays published")}.",
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (db.Entry(card).State == EntityState.Added)
        {
            // (competition, version) is unique: the close's job or another organizer tab produced it at the same moment.
            db.ChangeTracker.Clear();
            return new(false, $"The card of version {version} was produced elsewhere at the same moment; produce it again to refresh it.");
        }
        return new(true, $"The service card of version {version} is ready{(card.PublishedAt is null ? "; only you see it until you publish it." : " and published.")}");
    }

    /// <summary>The close's follow-up (a Hangfire job): the card of the newest version, unpublished.</summary>
    [AutomaticRetry(Attempts = 2)]
    public async Task ProduceFinalAsync(Guid competitionId, CancellationToken ct)
    {
        var newest = await db.DecisionListVersions.Where(v => v.CompetitionId == competitionId).MaxAsync(v => (int?)v.Version, ct);
        if (newest is { } version) await ProduceAsync(competitionId, version, null, ct);
    }

    /// <summary>Makes a produced card public (<paramref name="publish"/>) or private again.</summary>
    public async Task<CardOutcome> PublishAsync(Guid competitionId, int version, bool publish, string actorId, CancellationToken ct = default)
    {
        var card = await db.ServiceCards.SingleOrDefaultAsync(c => c.CompetitionId == competitionId && c.Version == version, ct);
        if (card is null) return new(false, $"Version {version} has no service card yet: produce it first.");
        if ((card.PublishedAt is not null) == publish)
            return new(false, publish ? "This card is already public." : "This card is not public.");
        var now = time.GetUtcNow();
        card.PublishedAt = publish ? now : null;
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.ServiceCardChanged, At = now,
            Detail = publish ? $"Service card of version {version} published." : $"Service card of version {version} withdrawn from the public.",
        });
        await db.SaveChangesAsync(ct);
        return new(true, publish ? $"The service card of version {version} is public." : $"The service card of version {version} is private again.");
    }

    /// <summary>Saves the organizer's notes; cards already produced keep their text until produced again.</summary>
    public async Task<CardOutcome> SaveNotesAsync(Guid competitionId, CardNotesInput input, string actorId, CancellationToken ct = default)
    {
        var fields = new (string Name, string Text)[]
        {
            ("Intended use", input.IntendedUse), ("Not suited for", input.OutOfScope), ("Ethical considerations", input.EthicalConsiderations), ("Caveats", input.Caveats),
        };
        if (fields.FirstOrDefault(f => (f.Text ?? "").Length > ServiceCardNotes.MaxLength) is { Name: { } tooLong })
            return new(false, $"{tooLong} is longer than {ServiceCardNotes.MaxLength:N0} characters; shorten it.");
        var notes = await db.ServiceCardNotes.SingleOrDefaultAsync(n => n.CompetitionId == competitionId, ct);
        if (notes is null) db.ServiceCardNotes.Add(notes = new ServiceCardNotes { CompetitionId = competitionId });
        notes.IntendedUse = (input.IntendedUse ?? "").Trim();
        notes.OutOfScope = (input.OutOfScope ?? "").Trim();
        notes.EthicalConsiderations = (input.EthicalConsiderations ?? "").Trim();
        notes.Caveats = (input.Caveats ?? "").Trim();
        notes.UpdatedAt = time.GetUtcNow();
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competitionId, ActorId = actorId, Kind = AuditEvent.ServiceCardChanged, At = notes.UpdatedAt, Detail = "Service card notes saved.",
        });
        await db.SaveChangesAsync(ct);
        return new(true, "Notes saved. Produce a card again to put them on it.");
    }
}

/// <summary>
/// A card as someone may see it: the competition's name and slug, the stored card, the document to show, and whether
/// the viewer is its organizer.
/// </summary>
public sealed record VisibleCard(string Competition, string Slug, ServiceCard Card, ServiceCardDocument Document, bool ViewerOrganizes);

/// <summary>
/// Who sees which card: a published card anyone; an unpublished one only the competition's organizer and admins
/// (everyone else gets 404, as if it did not exist). Drafts have no cards. A stored card is a dated snapshot, but a
/// finding that is no longer disclosed (withheld since, or its approval undone) is left out whenever the card is read:
/// disclosure rules hold for published cards too. Findings disclosed since appear when the card is produced again.
/// </summary>
public sealed class ServiceCardQuery(ApplicationDbContext db, TimeProvider time)
{
    /// <summary>The card of <paramref name="version"/>, or (null) the newest card the viewer may see.</summary>
    public async Task<VisibleCard?> ForAsync(string slug, int? version, ClaimsPrincipal viewer, CancellationToken ct = default)
    {
        var competition = await db.Competitions.AsNoTracking().Public().Where(c => c.Slug == slug)
            .Select(c => new { c.Id, c.Name, c.Slug }).SingleOrDefaultAsync(ct);
        if (competition is null) return null;
        var organizes = await db.Competitions.OrganizedBy(viewer).AnyAsync(c => c.Id == competition.Id, ct);
        var cards = db.ServiceCards.AsNoTracking().Where(c => c.CompetitionId == competition.Id && (organizes || c.PublishedAt != null));
        var card = version is { } v
            ? await cards.SingleOrDefaultAsync(c => c.Version == v, ct)
            : await cards.Where(c => c.PublishedAt != null || !organizes).OrderByDescending(c => c.Version).FirstOrDefaultAsync(ct)
              ?? await cards.OrderByDescending(c => c.Version).FirstOrDefaultAsync(ct);
        if (card is null) return null;
        var document = card.Document();
        if (document.VerifiedFindings.Count > 0)
            document = document with { VerifiedFindings = await StillDisclosedAsync(competition.Id, document.VerifiedFindings, ct) };
        return new VisibleCard(competition.Name, competition.Slug, card, document, organizes);
    }

    private async Task<IReadOnlyList<CardFinding>> StillDisclosedAsync(Guid competitionId, IReadOnlyList<CardFinding> findings, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var disclosed = await db.Submissions.AsNoTracking().Where(x => x.CompetitionId == competitionId).Where(Submissions.Submission.DisclosedAt(now))
            .Join(db.Teams, x => x.TeamId, t => t.Id, (x, t) => new { Group = x.CanonicalExpression ?? x.Expression, Team = t.Name })
            .ToListAsync(ct);
        var current = disclosed.Select(d => (d.Group, d.Team)).ToHashSet();
        return findings.Where(f => current.Contains((f.Group, f.Team))).ToArray();
    }
}
