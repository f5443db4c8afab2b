using System.Security.Cryptography;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Accounts;

/// <summary>
/// A user's public name: chosen at registration, changeable in the profile, shown on teams, the leaderboard and to
/// organizers. No part of an e-mail address is ever shown to anyone but its owner and administrators, so a name may not
/// contain '@', and a user without one gets a neutral generated name (never derived from the e-mail).
/// </summary>
public static class DisplayNames
{
    public const int MinLength = 3, MaxLength = 40;

    public const string Rule = "3 to 40 letters, digits, spaces and . - _ '; no @. Shown publicly instead of your e-mail.";

    /// <summary>The trimmed name with its inner spaces collapsed.</summary>
    public static string Normalize(string? name) => string.Join(' ', (name ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Null when <paramref name="name"/> (normalized) is allowed, else why not.</summary>
    public static string? Problem(string? name)
    {
        var text = Normalize(name);
        if (text.Length < MinLength || text.Length > MaxLength) return $"A display name has {MinLength} to {MaxLength} characters.";
        if (text.Contains('@')) return "A display name may not contain @: it is shown publicly, so it must not be an e-mail address.";
        if (!text.All(c => char.IsLetterOrDigit(c) || c is ' ' or '.' or '-' or '_' or '\''))
            return "A display name has letters, digits, spaces and . - _ ' only.";
        if (!text.Any(char.IsLetterOrDigit)) return "A display name needs at least one letter or digit.";
        return null;
    }

    /// <summary>Whether another user already has this name (compared without case).</summary>
    public static Task<bool> TakenAsync(ApplicationDbContext db, string name, string? exceptUserId, CancellationToken ct = default)
    {
        var upper = Normalize(name).ToUpperInvariant();
        return db.Users.AnyAsync(u => u.DisplayName != null && u.DisplayName.ToUpper() == upper && u.Id != exceptUserId, ct);
    }

    /// <summary>A neutral name for a user who has none, e.g. "participant-7f3a9c".</summary>
    public static string Generate() => "participant-" + RandomNumberGenerator.GetHexString(6, lowercase: true);

    /// <summary>The name shown for a user: their display name, or a neutral one derived from their id (never their e-mail).</summary>
    public static string For(string userId, string? displayName) =>
        displayName is { Length: > 0 } d ? d : "participant-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)))[..6];

    /// <summary>The backfill of the DisplayNames migration: every user without a name gets one from their id (not their e-mail).</summary>
    public const string BackfillSql =
        """
        UPDATE "AspNetUsers" SET "DisplayName" = 'participant-' || substr(md5("Id"), 1, 6)
        WHERE "DisplayName" IS NULL OR "DisplayName" = '' OR "DisplayName" LIKE '%@%';
        """;
}
