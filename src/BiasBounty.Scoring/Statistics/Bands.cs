namespace BiasBounty.Scoring.Statistics;

/// <summary>The released p-value band of a claim tested on the confirmation holdout (docs/scoring-rules.md).</summary>
public enum PValueBand
{
    /// <summary>Significant and p &lt; 0.001; shown as "&lt; 0.001".</summary>
    LessThan0001,

    /// <summary>Significant and 0.001 ≤ p &lt; 0.01; shown as "&lt; 0.01".</summary>
    LessThan001,

    /// <summary>Significant (p ≤ α_t) and p ≥ 0.01; shown as "&lt; α_t".</summary>
    LessThanAlpha,

    /// <summary>p &gt; α_t (or p is NaN); shown as "not significant".</summary>
    NotSignificant,
}

/// <summary>The released effect band of Δ, in percentage points (docs/scoring-rules.md). Intervals are closed below, open above.</summary>
public enum EffectBand
{
    /// <summary>Δ &lt; 1 pp, including negative Δ; shown as "&lt; 1 pp".</summary>
    LessThan1pp,

    /// <summary>1 pp ≤ Δ &lt; 2 pp; shown as "1–2 pp".</summary>
    From1To2pp,

    /// <summary>2 pp ≤ Δ &lt; 5 pp; shown as "2–5 pp".</summary>
    From2To5pp,

    /// <summary>5 pp ≤ Δ &lt; 10 pp; shown as "5–10 pp".</summary>
    From5To10pp,

    /// <summary>Δ ≥ 10 pp; shown as "&gt; 10 pp" (the label docs/scoring-rules.md uses; exactly 10 pp falls here).</summary>
    Over10pp,
}

/// <summary>
/// Maps exact p-values and effects to the coarse bands that are the only numbers released from the confirmation holdout.
/// </summary>
public static class Bands
{
    /// <summary>
    /// The p-value band for a test run at level <paramref name="alpha"/>. A band never claims more than the test's
    /// verdict: any p &gt; α_t is <see cref="PValueBand.NotSignificant"/>, even if it is below 0.01, and a significant p
    /// (p ≤ α_t) is then banded by the fixed cut-offs 0.001 and 0.01. Because α_t ≤ 0.01,
    /// <see cref="PValueBand.LessThanAlpha"/> occurs only at p = α_t = 0.01 under the default rules.
    /// </summary>
    /// <param name="pValue">The exact p-value in [0, 1]. NaN (corrupt input data) gives <see cref="PValueBand.NotSignificant"/>.</param>
    /// <param name="alpha">The level α_t the test ran at, strictly between 0 and 1.</param>
    /// <returns>The band.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pValue"/> is outside [0, 1], or
    /// <paramref name="alpha"/> is not in (0, 1) or is NaN.</exception>
    public static PValueBand ForPValue(double pValue, double alpha)
    {
        if (!(alpha > 0.0 && alpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The test level must lie strictly between 0 and 1.");
        }

        if (pValue < 0.0 || pValue > 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(pValue), pValue, "A p-value must lie in [0, 1].");
        }

        if (!(pValue <= alpha))
        {
            return PValueBand.NotSignificant;
        }

        return pValue < 0.001 ? PValueBand.LessThan0001
            : pValue < 0.01 ? PValueBand.LessThan001
            : PValueBand.LessThanAlpha;
    }

    /// <summary>
    /// The effect band of <paramref name="delta"/>, given as a difference of proportions (0.01 = 1 percentage point).
    /// The cut-offs are compared in proportion units, so 0.01, 0.02, 0.05 and 0.10 land exactly on their band's lower edge.
    /// </summary>
    /// <param name="delta">The effect Δ as a proportion; negative values (and NaN, from corrupt input data) give
    /// <see cref="EffectBand.LessThan1pp"/>.</param>
    /// <returns>The band.</returns>
    public static EffectBand ForEffect(double delta) =>
        delta >= 0.10 ? EffectBand.Over10pp
        : delta >= 0.05 ? EffectBand.From5To10pp
        : delta >= 0.02 ? EffectBand.From2To5pp
        : delta >= 0.01 ? EffectBand.From1To2pp
        : EffectBand.LessThan1pp;

    /// <summary>The text shown to participants for a p-value band.</summary>
    /// <param name="band">The band.</param>
    /// <returns>"&lt; 0.001", "&lt; 0.01", "&lt; α_t" or "not significant".</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="band"/> is not a defined value.</exception>
    public static string ToDisplayText(this PValueBand band) => band switch
    {
        PValueBand.LessThan0001 => "< 0.001",
        PValueBand.LessThan001 => "< 0.01",
        PValueBand.LessThanAlpha => "< α_t",
        PValueBand.NotSignificant => "not significant",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, "Unknown p-value band."),
    };

    /// <summary>The text shown to participants for an effect band.</summary>
    /// <param name="band">The band.</param>
    /// <returns>"&lt; 1 pp", "1–2 pp", "2–5 pp", "5–10 pp" or "&gt; 10 pp".</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="band"/> is not a defined value.</exception>
    public static string ToDisplayText(this EffectBand band) => band switch
    {
        EffectBand.LessThan1pp => "< 1 pp",
        EffectBand.From1To2pp => "1–2 pp",
        EffectBand.From2To5pp => "2–5 pp",
        EffectBand.From5To10pp => "5–10 pp",
        EffectBand.Over10pp => "> 10 pp",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, "Unknown effect band."),
    };
}
