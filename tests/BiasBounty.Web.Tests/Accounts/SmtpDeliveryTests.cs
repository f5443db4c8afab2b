using BiasBounty.Web.Accounts;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Accounts;

/// <summary>The platform with <c>BiasBounty:Smtp</c> pointing at a fake SMTP server on loopback.</summary>
public abstract class SmtpPlatform(bool refuseRecipients) : PlatformFactory
{
    public FakeSmtpServer Smtp { get; } = new(refuseRecipients);

    public override bool Demo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("BiasBounty:Smtp:Host", "127.0.0.1");
        builder.UseSetting("BiasBounty:Smtp:Port", Smtp.Port.ToString());
        builder.UseSetting("BiasBounty:Smtp:EnableSsl", "false");
        builder.UseSetting("BiasBounty:Smtp:From", "noreply@biasbounty.test");
        builder.UseSetting("BiasBounty:Smtp:PollInterval", "00:00:00.100");
        builder.UseSetting("BiasBounty:Smtp:RetryDelay", "01:00:00"); // one attempt within a test
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class AcceptingSmtpPlatform() : SmtpPlatform(refuseRecipients: false);

public sealed class RefusingSmtpPlatform() : SmtpPlatform(refuseRecipients: true);

internal static class Outbox
{
    public static async Task<OutboxEmail> QueueConfirmationAsync(PlatformFactory platform, string email)
    {
        await using (var scope = platform.Scope())
        {
            var sender = scope.ServiceProvider.GetRequiredService<IEmailSender<ApplicationUser>>();
            await sender.SendConfirmationLinkAsync(new ApplicationUser { Email = email, UserName = email }, email, "https://biasbounty.test/confirm?code=abc");
        }
        await using var check = platform.Scope();
        return await platform.NewDb(check).Outbox.SingleAsync(m => m.To == email);
    }

    /// <summary>Polls the outbox row until <paramref name="done"/> holds (or 15 s pass).</summary>
    public static async Task<OutboxEmail> WaitAsync(PlatformFactory platform, Guid id, Func<OutboxEmail, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var scope = platform.Scope();
            var mail = await platform.NewDb(scope).Outbox.AsNoTracking().SingleAsync(m => m.Id == id);
            if (done(mail) || DateTime.UtcNow > deadline)
                return mail;
            await Task.Delay(100);
        }
    }
}

public sealed class SmtpDeliveryTests(AcceptingSmtpPlatform platform) : IClassFixture<AcceptingSmtpPlatform>
{
    [Fact]
    public async Task ConfirmationMail_IsDeliveredBySmtp_AndMarkedSent()
    {
        var queued = await Outbox.QueueConfirmationAsync(platform, "alice@example.test");

        var mail = await Outbox.WaitAsync(platform, queued.Id, m => m.SentAt is not null);

        Assert.NotNull(mail.SentAt);
        Assert.Equal(1, mail.Attempts);
        Assert.Null(mail.LastError);
        var received = Assert.Single(platform.Smtp.Received);
        Assert.Equal(["alice@example.test"], received.Recipients);
        Assert.Contains("alice@example.test", received.Header("To"));
        Assert.Contains("noreply@biasbounty.test", received.Header("From"));
        Assert.Equal("Confirm your BiasBounty account", received.Header("Subject"));
    }
}

public sealed class SmtpRefusalTests(RefusingSmtpPlatform platform) : IClassFixture<RefusingSmtpPlatform>
{
    [Fact]
    public async Task RefusedMail_StaysUnsent_WithTheAttemptAndErrorRecorded()
    {
        var queued = await Outbox.QueueConfirmationAsync(platform, "bob@example.test");

        var mail = await Outbox.WaitAsync(platform, queued.Id, m => m.Attempts > 0);

        Assert.Null(mail.SentAt);
        Assert.Equal(1, mail.Attempts); // the retry waits RetryDelay (an hour here)
        Assert.NotNull(mail.LastError);
        Assert.Contains("Relay access denied", mail.LastError);
        Assert.NotNull(mail.NextAttemptAt);
        Assert.True(mail.NextAttemptAt > DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.Empty(platform.Smtp.Received);
        Assert.True(platform.Smtp.RecipientCommands >= 1);
    }
}

public sealed class SmtpOptionsTests
{
    private static List<System.ComponentModel.DataAnnotations.ValidationResult> Validate(SmtpOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void NoHost_IsValid_AndOff() => Assert.Empty(Validate(new SmtpOptions()));

    [Fact]
    public void Host_WithoutFrom_IsInvalid() =>
        Assert.Contains(Validate(new SmtpOptions { Host = "smtp.example.test" }), r => r.MemberNames.Contains(nameof(SmtpOptions.From)));

    [Fact]
    public void Backoff_Doubles_AndIsCapped()
    {
        var options = new SmtpOptions { RetryDelay = TimeSpan.FromMinutes(1) };
        Assert.Equal(TimeSpan.FromMinutes(1), options.Backoff(1));
        Assert.Equal(TimeSpan.FromMinutes(4), options.Backoff(3));
        Assert.Equal(TimeSpan.FromHours(6), options.Backoff(30));
    }
}
