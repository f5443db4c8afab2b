using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace BiasBounty.Web.Components.Account;

/// <summary>The tokens the account e-mails carry in their links (base64url of Identity's token text).</summary>
internal static class IdentityCodes
{
    /// <summary>
    /// Decodes a link's <c>code</c>; false when it is not base64url text (a link cut short or edited by hand), which the
    /// pages answer with their invalid-link message rather than an error page.
    /// </summary>
    public static bool TryDecode(string? code, out string decoded)
    {
        decoded = "";
        if (string.IsNullOrEmpty(code)) return false;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(WebEncoders.Base64UrlDecode(code));
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return false;
        }
    }
}
