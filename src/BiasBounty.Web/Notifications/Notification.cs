using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using BiasBounty.Web.Persistence;
namespace BiasBounty.Web.Notifications;

/// <summary>A message in a user's notification centre (a copy also goes out by e-mail through the outbox).</summary>
public class Notification
{
    public const string Verdict = "verdict";
    public const string Triage = "triage";
    public const string Reward = "reward";
    public const string Disclosure = "disclosure";

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public Guid? CompetitionId { get; set; }

    public Guid? SubmissionId { get; set; }

    /// <summary>One of <see cref="Verdict"/>, <see cref="Triage"/>, <see cref="Reward"/>, <see cref="Disclosure"/>.</summary>
    public required string Kind { get; set; }

    public required string Title { get; set; }

    /// <summary>Plain text; pages encode it.</summary>
    public required string Body { get; set; }

    /// <summary>A link relative to the site's base, e.g. <c>submissions/{id}</c>.</summary>
    public string? Link { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? ReadAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> e)
    {
        e.HasIndex(n => new { n.UserId, n.CreatedAt });
        e.Property(n => n.Kind).HasMaxLength(20);
        e.Property(n => n.Title).HasMaxLength(300);
        e.Property(n => n.Body).HasMaxLength(4000);
        e.Property(n => n.Link).HasMaxLength(500);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
