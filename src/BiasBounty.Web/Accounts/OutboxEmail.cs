namespace BiasBounty.Web.Accounts;

/// <summary>An e-mail waiting to be sent (or, without SMTP, kept for the developer to read).</summary>
public class OutboxEmail
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string To { get; set; }

    public required string Subject { get; set; }

    public required string HtmlBody { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? SentAt { get; set; }
}
