using BiasBounty.Web.Competitions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.ServiceCards;

/// <summary>
/// The service card of one published version, as produced (by the organizer, or at the close for the final version):
/// the built <see cref="ServiceCardDocument"/> as JSON, so the page and both downloads show the same dated document
/// however often they are read. Public only once <see cref="PublishedAt"/> is set; until then its organizer and admins
/// alone see it. Producing it again (new text, findings disclosed since) replaces the document and keeps the publication.
/// </summary>
public class ServiceCard
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public int Version { get; set; }

    public required string DocumentJson { get; set; }

    public DateTimeOffset ProducedAt { get; set; }

    /// <summary>Who produced it: an organizer's user id, or null when the close of the competition did.</summary>
    public string? ProducedBy { get; set; }

    public DateTimeOffset? PublishedAt { get; set; }

    public ServiceCardDocument Document() => ServiceCardDocument.FromJson(DocumentJson);
}

/// <summary>
/// What only the organizer can say about a competition's model (intended use, uses it is not suited for, ethical
/// considerations, caveats): one row per competition, read whenever one of its cards is produced. Empty text means the
/// organizer has not written it, and the card says so.
/// </summary>
public class ServiceCardNotes
{
    public Guid CompetitionId { get; set; }

    public string IntendedUse { get; set; } = "";

    public string OutOfScope { get; set; } = "";

    public string EthicalConsiderations { get; set; } = "";

    public string Caveats { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The longest text a field takes (the form refuses longer text with a message).</summary>
    public const int MaxLength = 4_000;
}

internal sealed class ServiceCardConfiguration : IEntityTypeConfiguration<ServiceCard>
{
    public void Configure(EntityTypeBuilder<ServiceCard> e)
    {
        e.HasIndex(c => new { c.CompetitionId, c.Version }).IsUnique();
        e.Property(c => c.DocumentJson).HasColumnType("jsonb");
        e.HasOne<Competition>().WithMany().HasForeignKey(c => c.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ServiceCardNotesConfiguration : IEntityTypeConfiguration<ServiceCardNotes>
{
    public void Configure(EntityTypeBuilder<ServiceCardNotes> e)
    {
        e.HasKey(n => n.CompetitionId);
        e.Property(n => n.IntendedUse).HasMaxLength(ServiceCardNotes.MaxLength);
        e.Property(n => n.OutOfScope).HasMaxLength(ServiceCardNotes.MaxLength);
        e.Property(n => n.EthicalConsiderations).HasMaxLength(ServiceCardNotes.MaxLength);
        e.Property(n => n.Caveats).HasMaxLength(ServiceCardNotes.MaxLength);
        e.HasOne<Competition>().WithMany().HasForeignKey(n => n.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}
