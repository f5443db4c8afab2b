using System.Globalization;

namespace BiasBounty.Web.Competitions;

/// <summary>Amounts and dates as the organizer pages, notices and the CSV write them (invariant culture).</summary>
public static class Money
{
    public static string Format(decimal amount, string currency) => amount.ToString("N2", CultureInfo.InvariantCulture) + " " + currency;

    public static string Date(DateTimeOffset? at) => at is { } known ? Hosting.DisplayTime.Utc(known) : "an unknown date";
}
