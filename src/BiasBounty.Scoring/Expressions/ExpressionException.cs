using System.Globalization;

namespace BiasBounty.Scoring.Expressions;

/// <summary>
/// A subgroup expression that cannot be used: it does not parse, breaks a limit, or does not fit the columns it is
/// checked against. The message says what is wrong and, when it concerns one place, starts with
/// <c>column N: </c> where N is the 1-based character position in the expression text.
/// </summary>
public sealed class ExpressionException : ScoringInputException
{
    /// <summary>Creates the error; <paramref name="position"/> (1-based) is prefixed to the message when given.</summary>
    public ExpressionException(string message, int? position = null)
        : base(position is { } p ? $"column {p.ToString(CultureInfo.InvariantCulture)}: {message}" : message)
    {
        Position = position;
        Reason = message;
    }

    /// <summary>The 1-based character position the error concerns, or null when it concerns the whole expression.</summary>
    public int? Position { get; }

    /// <summary>The message without the <c>column N: </c> prefix.</summary>
    public string Reason { get; }
}
