using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
namespace BiasBounty.Web.Accounts;

/// <summary>An e-mail waiting to be sent (or, without SMTP, kept for the developer to read); <see cref="SmtpOutboxDelivery"/>
/// delivers it when SMTP is configured.</summary>
public class OutboxEmail
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string To { get; set; }

    public required string Subject { get; set; }

    public required string HtmlBody { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>When the SMTP server accepted it; null while it waits (or was given up).</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>SMTP delivery attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The last delivery failure, null after a success.</summary>
    public string? LastError { get; set; }

    /// <summary>Not retried before this time (backoff after a failure).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public const int LastErrorMaxLength = 2000;
}

internal sealed class OutboxEmailConfiguration : IEntityTypeConfiguration<OutboxEmail>
{
    public void Configure(EntityTypeBuilder<OutboxEmail> e)
    {
        e.ToTable("EmailOutbox");
        e.Property(m => m.To).HasMaxLength(320);
        e.Property(m => m.Subject).HasMaxLength(300);
        e.Property(m => m.LastError).HasMaxLength(OutboxEmail.LastErrorMaxLength);
        e.HasIndex(m => m.CreatedAt).HasFilter("\"SentAt\" IS NULL").HasDatabaseName("IX_EmailOutbox_Unsent");
    }
}
