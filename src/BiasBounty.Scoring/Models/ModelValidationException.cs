namespace BiasBounty.Scoring.Models;

/// <summary>
/// A submitted model that cannot be used: not an ONNX file, too large, operators outside the standard domains, inputs
/// that do not bind to the competition's schema, or predictions outside the label's domain. The message is written
/// for the participant and never contains holdout values.
/// </summary>
public sealed class ModelValidationException(string message, Exception? inner = null) : ScoringInputException(message, inner);
