using System.ComponentModel.DataAnnotations;

namespace BiasBounty.Web.Accounts;

/// <summary>Section <c>BiasBounty:Smtp</c>: where the outbox is delivered. An empty <see cref="Host"/> turns SMTP off
/// (mails stay in the outbox).</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "BiasBounty:Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public bool EnableSsl { get; set; } = true;

    /// <summary>The sender address; required when <see cref="Host"/> is set.</summary>
    public string? From { get; set; }

    /// <summary>How often the outbox is looked at for mails to deliver.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delivery attempts per mail before it is given up (it stays in the outbox, unsent).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay after the first failure; it doubles after each further one, capped at six hours.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "06:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
            yield break;
        if (string.IsNullOrWhiteSpace(From))
            yield return new ValidationResult($"{Section}:From is required when {Section}:Host is set.", [nameof(From)]);
        else if (!System.Net.Mail.MailAddress.TryCreate(From, out _))
            yield return new ValidationResult($"{Section}:From is not an e-mail address.", [nameof(From)]);
        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
            yield return new ValidationResult($"{Section}:UserName and {Section}:Password go together.", [nameof(UserName), nameof(Password)]);
    }

    /// <summary>The delay before attempt <paramref name="failedAttempts"/> + 1.</summary>
    public TimeSpan Backoff(int failedAttempts) =>
        TimeSpan.FromTicks(Math.Min(RetryDelay.Ticks * (1L << Math.Min(failedAttempts - 1, 20)), TimeSpan.FromHours(6).Ticks));
}
