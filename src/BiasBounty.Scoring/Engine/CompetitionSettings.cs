using System.ComponentModel.DataAnnotations;

namespace BiasBounty.Scoring.Engine;

/// <summary>
/// A competition's scoring settings, with the defaults of docs/scoring-rules.md. Immutable; change with <c>with</c>.
/// </summary>
public sealed record CompetitionSettings
{
    /// <summary>The competition's metric.</summary>
    public Metric Metric { get; init; } = Metric.Error;

    /// <summary>Share of the holdout in the feedback part D_fb (the rest is the confirmation part D_cf).</summary>
    [Range(0.05, 0.95)] public double FeedbackShare { get; init; } = 0.4;

    /// <summary>Seed of the stratified feedback/confirmation split, stored with the competition.</summary>
    public int SplitSeed { get; init; } = 20_221_001;

    /// <summary>Least eligible rows in the group and in its complement, on each holdout part.</summary>
    [Range(2, int.MaxValue)] public int MinGroupRows { get; init; } = 100; // t-tests need two rows a side

    /// <summary>Least share μ(g) of the population in the group.</summary>
    [Range(0.0, 1.0)] public double MinGroupShare { get; init; } = 0.001;

    /// <summary>ε: least overall gain μ(g)·Δ_g of an accepted fix, and the repair tolerance.</summary>
    [Range(1e-6, 1.0)] public double CertificateThreshold { get; init; } = 0.001;

    /// <summary>Target false-discovery rate of each alpha-investing ledger.</summary>
    [Range(1e-6, 0.5)] public double FdrAlpha { get; init; } = 0.05;

    /// <summary>A finding needs p_g ≥ this × p_c (the four-fifths rule read as an error ratio).</summary>
    [Range(1.0, 100.0)] public double FindingMinRatio { get; init; } = 1.25;

    /// <summary>A finding needs p_g − p_c ≥ this.</summary>
    [Range(0.0, 1.0)] public double FindingMinDifference { get; init; } = 0.01;

    /// <summary>Points of a verified finding without a fix, as a share of its error gap in basis points.</summary>
    [Range(0.0, 10.0)] public double FindingWeight { get; init; } = 0.25;

    /// <summary>Jaccard similarity to an accepted group at which a submission is flagged as a near-duplicate.</summary>
    [Range(0.0, 1.0)] public double NearDuplicateJaccard { get; init; } = 0.95;

    /// <summary>Squared error is clipped at this and divided by it, so the loss lies in [0, 1].</summary>
    [Range(1e-9, double.MaxValue)] public float LossCap { get; init; } = 1f;

    /// <summary>No feedback numbers are released when the group or its complement has fewer rows in D_fb.</summary>
    [Range(1, int.MaxValue)] public int MinReleasedRows { get; init; } = 15;

    /// <summary>Privacy budget of each released count's Laplace noise.</summary>
    [Range(0.01, 100.0)] public double NoiseEpsilon { get; init; } = 0.5;

    /// <summary>Largest accepted fix or group model, in bytes.</summary>
    [Range(1, long.MaxValue)] public long MaxModelBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Submissions per team per day (enforced by the platform).</summary>
    [Range(1, 1000)] public int SubmissionsPerDay { get; init; } = 5;

    /// <summary>Accepted fixes plus repairs the holdout supports before it should be refreshed: K + 1 with K = ⌊2/ε⌋.</summary>
    public int AcceptBudget => (int)Math.Floor(2.0 / CertificateThreshold) + 1;

    /// <summary>Throws <see cref="ScoringInputException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
            throw new ScoringInputException($"setting {string.Join(", ", results[0].MemberNames)} is out of range: {results[0].ErrorMessage}");
    }
}
