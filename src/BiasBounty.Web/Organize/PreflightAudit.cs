using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Discovery;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Web.Organize;

/// <summary>
/// The organizer's pre-flight audit (issue 13): the engine's group search (<see cref="GroupSearch"/>) run on the PUBLIC
/// training data with the base model's predictions, shown in the wizard before the competition opens. It never reads
/// the holdout: it is shown while the organizer builds, and must neither spend nor reveal it.
/// </summary>
/// <param name="Groups">The groups confirmed on the second half of the training rows, best size-weighted gap first.</param>
/// <param name="Rows">Training rows the metric counts (all for error, the negatives for fpr, the positives for fnr).</param>
/// <param name="ConfirmRows">Of those, the rows of the confirmation half whose numbers the table shows.</param>
/// <param name="MaxConditions">Most conditions per group searched (two on large data, to bound the time).</param>
public sealed record PreflightAudit(IReadOnlyList<DiscoveredGroup> Groups, int Rows, int ConfirmRows, double ErrorRate, int MaxConditions, TimeSpan Elapsed)
{
    /// <summary>What every number of the audit carries.</summary>
    public const string NotOnHoldout = "on the public training data, not on the holdout";

    /// <summary>
    /// Predicts <paramref name="training"/> with <paramref name="model"/> (already checked by the wizard) and searches it
    /// with bounded settings (<see cref="ModelGroupAudit.BoundedOptions"/>).
    /// </summary>
    /// <exception cref="ScoringInputException">The model does not run on the training rows.</exception>
    public static PreflightAudit Run(byte[] model, Dataset training, CompetitionSettings settings)
    {
        var label = LabelDomain.Of(training);
        using var catalog = new ModelCatalog(training.Schema, label, new ModelLimits(settings.MaxModelBytes), FeatureCoding.Of(training));
        var smoke = training.SelectRows(Enumerable.Range(0, Math.Min(OnnxModel.SmokeRows, training.RowCount)).ToArray());
        var predictions = catalog.Predictor(catalog.AddOnnx(model, ModelRole.Predictor, smoke, ModelTrust.Trusted)).PredictAll(training);
        var options = ModelGroupAudit.BoundedOptions(training);
        var result = ModelGroupAudit.Run(training, label.Encode(training), predictions, settings.Metric, options);
        return new PreflightAudit(result.Confirmed, result.Rows, result.ConfirmRows, result.ErrorRate, options.MaxConditions, result.Elapsed);
    }
}
