using System.Globalization;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Web.Submissions;

/// <summary>
/// How a submission's points came about, from what its team can see (the released view, the competition's finding
/// weight, the organizers' adjustments): the formula, the numbers put in and which of them are exact. The engine works
/// with the confirmation part's exact share and gap, which are not released; the breakdown says so and gives the range
/// the released bands allow, plus an estimate of the share from the (noisy) feedback numbers.
/// </summary>
public static class PointsBreakdown
{
    public static IReadOnlyList<string> For(SubmissionStatus status)
    {
        if (status.Released is not { } r) return [];
        var lines = new List<string>();
        var share = FeedbackShare(r.Feedback);
        if (r.DuplicateOf is not null)
            lines.Add($"0.0: the same group as submission {r.DuplicateOf}, which keeps the credit; a duplicate earns nothing.");
        else if (r.FixVerified == true)
        {
            lines.Add($"Accepted fix: points = 10,000 × share of the group (μ) × improvement on the group (Δ) = {F1(r.Points)} (exact, rounded to 0.1).");
            if (r.FixEffect is { } band) lines.Add($"Δ lies in the band {band.ToDisplayText()} (confirmation part).");
            if (share is { } s && s > 0)
                lines.Add($"μ ≈ {Pct(s)} of the rows (feedback part: noisy, rounded), so Δ ≈ {F1(r.Points)} ÷ (10,000 × {Pct(s)}) ≈ {Pp(r.Points / (10_000 * s))}.");
        }
        else if (r.FindingVerified == true)
        {
            var weight = status.FindingWeight;
            lines.Add($"Verified finding: points = finding weight {F2(weight)} × 10,000 × share of the group × gap = {F1(r.Points)} (exact, rounded to 0.1).");
            if (r.FindingEffect is { } band)
            {
                var (low, high) = Bounds(band);
                var range = share is { } s
                    ? $"; with the share ≈ {Pct(s)} that gives " + (high is { } h
                        ? $"about {F1(weight * 10_000 * s * low)}–{F1(weight * 10_000 * s * h)} points"
                        : $"at least about {F1(weight * 10_000 * s * low)} points")
                    : "";
                lines.Add($"The gap lies in the band {band.ToDisplayText()} (confirmation part){range}.");
            }
            if (share is not null)
                lines.Add("The share above is estimated from the feedback part's noisy, rounded counts; the engine uses the confirmation part's exact share and gap, which are not released, so only the total is exact.");
        }
        else
            lines.Add("0.0: points come only from a verified finding or an accepted fix.");
        if (status.PointsForfeited)
            lines.Add($"Counts 0 on the standings: triaged {status.Triage.ForParticipants()}.");
        else if (status.Adjustment != 0)
            lines.Add($"{(status.Adjustment > 0 ? "+" : "−")} {F1(Math.Abs(status.Adjustment))} awarded by the organizers = {F1(status.Points ?? 0)} on the standings.");
        return lines;
    }

    /// <summary>The group's share of the rows by the released feedback counts, or null when they are not released.</summary>
    public static double? FeedbackShare(FeedbackNumbers? feedback) =>
        feedback is { GroupRows: { } g, ComplementRows: { } c } && g + c > 0 ? (double)g / (g + c) : null;

    /// <summary>The lower and upper end (as fractions) of an effect band; the top band has no upper end.</summary>
    public static (double Low, double? High) Bounds(EffectBand band) => band switch
    {
        EffectBand.LessThan1pp => (0, 0.01),
        EffectBand.From1To2pp => (0.01, 0.02),
        EffectBand.From2To5pp => (0.02, 0.05),
        EffectBand.From5To10pp => (0.05, 0.10),
        _ => (0.10, null),
    };

    private static string F1(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    private static string F2(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Pct(double share) => (100 * share).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Pp(double gap) => (100 * gap).ToString("0.0", CultureInfo.InvariantCulture) + " pp";
}
