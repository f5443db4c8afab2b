using System.Security.Cryptography;
using System.Text;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Api;

/// <summary>
/// A personal access token for the REST API. Only the SHA-256 hash of the token is stored, with its public
/// <see cref="Prefix"/> for the lookup and for the user's list; the token itself is shown once, at creation.
/// </summary>
public class ApiToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>The public part of the token (<c>bb_&lt;prefix&gt;_…</c>); unique.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole token text.</summary>
    public required byte[] Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The user's Identity security stamp when the token was made. A new password, e-mail address or second
    /// factor changes the stamp, and with it every token made before: a stolen session cannot leave a token behind that
    /// outlives "change password".</summary>
    public string? SecurityStamp { get; set; }
}

/// <summary>The token text: <c>bb_</c>, 12 hex characters of public prefix, <c>_</c>, 64 hex characters of secret.</summary>
public static class ApiTokenText
{
    public const string Start = "bb_";
    public const int PrefixLength = 12;
    private const int SecretBytes = 32;

    public static (string Token, string Prefix) New()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixLength / 2));
        return ($"{Start}{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretBytes))}", prefix);
    }

    /// <summary>The prefix of a well-formed token, else null.</summary>
    public static string? PrefixOf(string token)
    {
        if (token.Length != Start.Length + PrefixLength + 1 + SecretBytes * 2 || !token.StartsWith(Start, StringComparison.Ordinal)) return null;
        var prefix = token.AsSpan(Start.Length, PrefixLength);
        var secret = token.AsSpan(Start.Length + PrefixLength + 1);
        return token[Start.Length + PrefixLength] == '_' && IsLowerHex(prefix) && IsLowerHex(secret) ? prefix.ToString() : null;

        static bool IsLowerHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept("0123456789abcdef");
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>What the list shows of a token: enough to recognise it, nothing to use.</summary>
    public static string Display(string prefix) => $"{Start}{prefix}_…";
}

/// <summary>A token as its owner's list shows it (never the secret or its hash).</summary>
public sealed record ApiTokenView(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public string Display => ApiTokenText.Display(Prefix);

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}

/// <summary>The new token's full text (shown once), or the message for the form.</summary>
public sealed record CreatedToken(string? Token, ApiTokenView? View, string? Error)
{
    public static CreatedToken Fail(string error) => new(null, null, error);
}

/// <summary>Creating, listing and revoking a user's personal access tokens.</summary>
public sealed class PersonalAccessTokens(ApplicationDbContext db, TimeProvider time)
{
    public const int MaxNameLength = 100;

    /// <summary>Active (not expired, not revoked) tokens a user may hold at once.</summary>
    public const int MaxActive = 10;

    /// <summary>The lifetimes the page offers, in days.</summary>
    public static readonly int[] LifetimeDays = [30, 90, 365];

    public async Task<CreatedToken> CreateAsync(string userId, string? name, int days, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length == 0) return CreatedToken.Fail("Give the token a name, e.g. the machine or script that uses it.");
        if (name.Length > MaxNameLength) return CreatedToken.Fail($"A token name has at most {MaxNameLength} characters.");
        if (!LifetimeDays.Contains(days)) return CreatedToken.Fail($"Choose an expiry of {string.Join(", ", LifetimeDays)} days.");
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Two creates of one user at once must not both pass the count.
        await TransactionLock.AcquireAsync(db, "tokens:" + userId, ct);
        if (await db.ApiTokens.CountAsync(t => t.UserId == userId && t.RevokedAt == null && t.ExpiresAt > now, ct) >= MaxActive)
            return CreatedToken.Fail($"You have {MaxActive} active tokens, the most one account may hold. Revoke one you no longer use first.");
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync(ct);

        var (token, prefix) = ApiTokenText.New();
        var row = new ApiToken
        {
            UserId = userId, Name = name, Prefix = prefix, Hash = ApiTokenText.Hash(token), CreatedAt = now, ExpiresAt = now.AddDays(days),
            SecurityStamp = stamp,
        };
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new CreatedToken(token, ToView(row), null);
    }

    /// <summary>The user's tokens, newest first; revoked and expired ones stay listed for a month so the user sees what happened.</summary>
    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(string userId, CancellationToken ct = default)
    {
        var shownSince = time.GetUtcNow().AddDays(-30);
        var rows = await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == userId && (t.RevokedAt == null || t.RevokedAt > shownSince) && t.ExpiresAt > shownSince)
            .OrderByDescending(t => t.CreatedAt).ToListAsync(ct);
        return rows.Select(ToView).ToArray();
    }

    /// <summary>Revokes one of the user's tokens; false when there is no such token of theirs.</summary>
    public async Task<bool> RevokeAsync(string userId, Guid tokenId, CancellationToken ct = default) =>
        await db.ApiTokens.Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, time.GetUtcNow()), ct) == 1;

    private static ApiTokenView ToView(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt);
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> e)
    {
        e.HasIndex(t => t.Prefix).IsUnique();
        e.HasIndex(t => new { t.UserId, t.CreatedAt });
        e.Property(t => t.Name).HasMaxLength(PersonalAccessTokens.MaxNameLength);
        e.Property(t => t.Prefix).HasMaxLength(ApiTokenText.PrefixLength);
        e.Property(t => t.Hash).HasMaxLength(32);
        e.Property(t => t.SecurityStamp).HasMaxLength(256);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
