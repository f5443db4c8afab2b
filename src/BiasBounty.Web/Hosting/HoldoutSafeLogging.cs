namespace BiasBounty.Web.Hosting;

/// <summary>
/// What may be logged of an exception thrown while holdout data was being read or scored: its type and where it was
/// thrown, never its message, which could quote a holdout value (a label, a category, a cell).
/// </summary>
public static class HoldoutSafeLogging
{
    public static string WithoutMessage(this Exception exception)
    {
        var inner = exception.InnerException is { } cause ? $" (caused by {cause.GetType().FullName})" : "";
        return $"{exception.GetType().FullName}{inner}{Environment.NewLine}{exception.StackTrace}";
    }
}
