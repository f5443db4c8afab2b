using System.Net;
using System.Net.Mail;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Accounts;

/// <summary>
/// Delivers the outbox by SMTP when <c>BiasBounty:Smtp:Host</c> is set. The outbox stays the source of truth: a mail is
/// marked sent only after the server accepted it, so a crash never loses one (at worst it is sent twice). Processes
/// sharing the database claim rows with <c>FOR UPDATE SKIP LOCKED</c>, so each mail is handled by one of them at a time.
/// Failures are retried with a doubling delay up to <see cref="SmtpOptions.MaxAttempts"/>; neither the password nor the
/// mail body is ever logged.
/// </summary>
public sealed class SmtpOutboxDelivery(IServiceScopeFactory scopes, IOptions<SmtpOptions> options, TimeProvider time,
    ILogger<SmtpOutboxDelivery> log) : BackgroundService
{
    /// <summary>Mails sent in one go before the delivery loop looks at its timer again.</summary>
    private const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var smtp = options.Value;
        if (!smtp.Enabled)
        {
            log.LogInformation("SMTP is not configured ({Section}:Host is empty): e-mails stay in the outbox", SmtpOptions.Section);
            return;
        }
        log.LogInformation("Delivering the outbox through {Host}:{Port}", smtp.Host, smtp.Port);
        using var timer = new PeriodicTimer(smtp.PollInterval, time);
        do
        {
            try
            {
                while (await DeliverBatchAsync(smtp, stoppingToken) == BatchSize) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Outbox delivery pass failed; trying again later");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Delivers due mails, one claimed row per transaction, up to a batch; returns how many it handled.</summary>
    public async Task<int> DeliverBatchAsync(SmtpOptions smtp, CancellationToken ct)
    {
        var handled = 0;
        while (handled < BatchSize && await DeliverOneAsync(smtp, ct))
            handled++;
        return handled;
    }

    /// <summary>Claims one due mail and tries to send it; the outcome is committed before the next one, so a crash
    /// re-sends at most the mail being sent. Returns false when nothing is due.</summary>
    private async Task<bool> DeliverOneAsync(SmtpOptions smtp, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var mail = (await db.Outbox
            .FromSql($"""
                SELECT * FROM "EmailOutbox"
                WHERE "SentAt" IS NULL AND "Attempts" < {smtp.MaxAttempts} AND ("NextAttemptAt" IS NULL OR "NextAttemptAt" <= {now})
                ORDER BY "CreatedAt" LIMIT 1 FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct)).SingleOrDefault();
        if (mail is null)
            return false;

        mail.Attempts++;
        try
        {
            using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl, DeliveryMethod = SmtpDeliveryMethod.Network };
            if (!string.IsNullOrEmpty(smtp.UserName))
                client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
            using var message = new MailMessage(new MailAddress(smtp.From!), new MailAddress(mail.To))
            {
                Subject = mail.Subject,
                Body = mail.HtmlBody,
                IsBodyHtml = true,
            };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await client.SendMailAsync(message, timeout.Token);
            mail.SentAt = time.GetUtcNow();
            mail.LastError = null;
            mail.NextAttemptAt = null;
            log.LogInformation("E-mail {Id} to {To} sent ({Subject})", mail.Id, mail.To, mail.Subject);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The exception's message only: SmtpClient never puts the password or the body in it.
            mail.LastError = Truncate($"{e.GetType().Name}: {e.Message}", OutboxEmail.LastErrorMaxLength);
            mail.NextAttemptAt = time.GetUtcNow() + smtp.Backoff(mail.Attempts);
            if (mail.Attempts >= smtp.MaxAttempts)
                log.LogError("E-mail {Id} to {To} given up after {Attempts} attempts: {Error}", mail.Id, mail.To, mail.Attempts, mail.LastError);
            else
                log.LogWarning("E-mail {Id} to {To} not sent (attempt {Attempts} of {MaxAttempts}), retrying at {Next}: {Error}",
                    mail.Id, mail.To, mail.Attempts, smtp.MaxAttempts, mail.NextAttemptAt, mail.LastError);
        }
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return true;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
