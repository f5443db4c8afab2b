using Microsoft.AspNetCore.Identity;

namespace BiasBounty.Web.Accounts;

/// <summary>
/// Identity's password rules (its defaults, which the platform keeps) in one sentence, so the forms name every rule up
/// front instead of only the length. <c>PasswordRulesTests</c> checks the sentence against <see cref="PasswordOptions"/>.
/// </summary>
public static class PasswordRules
{
    public const int MinLength = 6, MaxLength = 100;

    public const string Text =
        "At least 6 characters, with an upper-case letter, a lower-case letter, a digit and a character that is not a letter or a digit (such as ! or -).";

    /// <summary>The forms' validation message (an attribute argument, so a constant).</summary>
    public const string Message = "The password must be 6 to 100 characters long, with an upper-case letter, a lower-case letter, a digit and a character that is not a letter or a digit.";

    /// <summary>Whether <see cref="Text"/> still describes <paramref name="options"/>.</summary>
    public static bool Describes(PasswordOptions options) =>
        options is { RequiredLength: MinLength, RequireUppercase: true, RequireLowercase: true, RequireDigit: true, RequireNonAlphanumeric: true, RequiredUniqueChars: <= 1 };
}
