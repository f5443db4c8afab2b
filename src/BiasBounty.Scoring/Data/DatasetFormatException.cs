namespace BiasBounty.Scoring.Data;

/// <summary>A data file that cannot be read: names the line and the column, never the offending value.</summary>
public sealed class DatasetFormatException(string message, long? line = null, string? column = null, Exception? inner = null)
    : ScoringInputException(Compose(message, line, column), inner)
{
    public long? Line { get; } = line;

    public string? Column { get; } = column;

    private static string Compose(string message, long? line, string? column) =>
        (line, column) switch
        {
            ({ } l, { } c) => $"line {l}, column '{c}': {message}",
            ({ } l, null) => $"line {l}: {message}",
            (null, { } c) => $"column '{c}': {message}",
            _ => message,
        };
}
