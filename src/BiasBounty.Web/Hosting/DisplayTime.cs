using System.Globalization;

namespace BiasBounty.Web.Hosting;

/// <summary>How pages, messages and notices write a moment: minutes in UTC, labelled so (every page, every reader).</summary>
public static class DisplayTime
{
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
