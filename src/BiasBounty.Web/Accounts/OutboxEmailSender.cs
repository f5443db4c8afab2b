using System.Text.Encodings.Web;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Identity;

namespace BiasBounty.Web.Accounts;

/// <summary>
/// Identity's e-mail sender: every message goes to the outbox table (a later sender delivers it by SMTP when one is
/// configured, see <see cref="SmtpOutboxDelivery"/>); in development the message is also logged, so a developer can follow the link.
/// </summary>
public sealed class OutboxEmailSender(ApplicationDbContext db, IHostEnvironment environment, ILogger<OutboxEmailSender> log)
    : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        QueueAsync(email, "Confirm your BiasBounty account", $"Please confirm your account by <a href=\"{Encode(confirmationLink)}\">clicking here</a>.");

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        QueueAsync(email, "Reset your BiasBounty password", $"Please reset your password by <a href=\"{Encode(resetLink)}\">clicking here</a>.");

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        QueueAsync(email, "Reset your BiasBounty password", $"Please reset your password using the following code: {Encode(resetCode)}");

    private async Task QueueAsync(string to, string subject, string html)
    {
        db.Outbox.Add(new OutboxEmail { To = to, Subject = subject, HtmlBody = html });
        await db.SaveChangesAsync();
        if (environment.IsDevelopment())
            log.LogInformation("E-mail to {To} queued in the outbox: {Subject}: {Body}", to, subject, html);
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
