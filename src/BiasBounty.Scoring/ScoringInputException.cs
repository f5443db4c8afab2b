namespace BiasBounty.Scoring;

/// <summary>
/// Untrusted input (a data file, an expression, a model, a setting) that cannot be used. The message is meant for
/// the person who supplied the input: it says what is wrong and where, and never contains holdout values.
/// </summary>
public class ScoringInputException(string message, Exception? inner = null) : Exception(message, inner);
