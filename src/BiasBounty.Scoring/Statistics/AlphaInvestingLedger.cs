using System.Text.Json.Serialization;

namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// Online false-discovery control by alpha-investing (Foster and Stine), one ledger per competition and claim type
/// (docs/scoring-rules.md). Immutable: <see cref="Record"/> returns the next ledger.
/// </summary>
/// <remarks>
/// <para>
/// Wealth starts at fdrAlpha / 2. Test t runs at α_t = min(W / (2(1 + W)), 0.01); a verified claim adds
/// fdrAlpha / 2 to W, a failed one subtracts α_t / (1 − α_t).
/// </para>
/// <para>
/// Under this rule wealth never reaches 0: a failure multiplies it by (1 + W) / (2 + W), roughly halving it.
/// The ledger is therefore <see cref="IsSpent"/> once the next level would be at most <see cref="MinimumLevel"/>
/// (1e-12), a level no claim can usefully be tested at; from the default start that takes 34 consecutive failures.
/// </para>
/// <para>
/// Serialises with System.Text.Json as its four stored properties; the derived <see cref="NextLevel"/> and
/// <see cref="IsSpent"/> are not written. Every property is validated on construction, on deserialisation and in
/// <c>with</c> expressions.
/// </para>
/// </remarks>
public sealed record AlphaInvestingLedger
{
    /// <summary>The cap on any single test's level, from docs/scoring-rules.md.</summary>
    public const double MaximumLevel = 0.01;

    /// <summary>A ledger whose next level is at or below this is spent.</summary>
    public const double MinimumLevel = 1e-12;

    /// <summary>Creates a ledger in an explicit state (used by deserialisation and for restoring persisted state).</summary>
    /// <param name="fdrAlpha">Target false-discovery rate, strictly between 0 and 1.</param>
    /// <param name="wealth">Current alpha-wealth, finite and ≥ 0.</param>
    /// <param name="testsRun">Tests recorded so far, ≥ 0.</param>
    /// <param name="testsVerified">Verified tests so far, 0 ≤ testsVerified ≤ testsRun.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range (NaN included); the exception names it.</exception>
    [JsonConstructor]
    public AlphaInvestingLedger(double fdrAlpha, double wealth, int testsRun, int testsVerified)
    {
        FdrAlpha = fdrAlpha;
        Wealth = wealth;
        TestsRun = testsRun;
        TestsVerified = testsVerified;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(testsVerified, testsRun, nameof(testsVerified));
    }

    /// <summary>Target false-discovery rate, strictly between 0 and 1.</summary>
    public double FdrAlpha
    {
        get;
        init => field = value > 0.0 && value < 1.0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(FdrAlpha), value, "The FDR target must lie strictly between 0 and 1.");
    }

    /// <summary>Current alpha-wealth W, finite and ≥ 0.</summary>
    public double Wealth
    {
        get;
        init => field = value >= 0.0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Wealth), value, "Alpha-wealth must be finite and non-negative.");
    }

    /// <summary>Number of tests recorded.</summary>
    public int TestsRun
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TestsRun), value, "A count cannot be negative.");
    }

    /// <summary>Number of recorded tests that verified.</summary>
    public int TestsVerified
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TestsVerified), value, "A count cannot be negative.");
    }

    /// <summary>The level α_t = min(W / (2(1 + W)), 0.01) granted to the next test.</summary>
    [JsonIgnore]
    public double NextLevel => Math.Min(Wealth / (2.0 * (1.0 + Wealth)), MaximumLevel);

    /// <summary>
    /// True when the wealth can no longer fund a test: W ≤ 0 or <see cref="NextLevel"/> ≤ <see cref="MinimumLevel"/>.
    /// The competition then needs a fresh holdout and a new ledger.
    /// </summary>
    [JsonIgnore]
    public bool IsSpent => Wealth <= 0.0 || NextLevel <= MinimumLevel;

    /// <summary>
    /// How many more claims this ledger can test if none of them is verified: the failures it can pay for before it
    /// <see cref="IsSpent"/> (34 from a fresh ledger with the default target). Each verified claim adds wealth for more.
    /// </summary>
    [JsonIgnore]
    public int FailuresUntilSpent
    {
        get
        {
            var count = 0;
            // Each failure at the 0.01 cap costs about 0.0101, and below the cap wealth roughly halves: a few hundred steps at most.
            for (var ledger = this; !ledger.IsSpent; ledger = ledger.Record(false)) count++;
            return count;
        }
    }

    /// <summary>A fresh ledger with wealth fdrAlpha / 2 and no tests recorded.</summary>
    /// <param name="fdrAlpha">Target false-discovery rate, strictly between 0 and 1.</param>
    /// <returns>The new ledger.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fdrAlpha"/> is not in (0, 1) or is NaN.</exception>
    public static AlphaInvestingLedger Start(double fdrAlpha = 0.05)
    {
        if (!(fdrAlpha > 0.0 && fdrAlpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(fdrAlpha), fdrAlpha, "The FDR target must lie strictly between 0 and 1.");
        }

        return new AlphaInvestingLedger(fdrAlpha, fdrAlpha / 2.0, 0, 0);
    }

    /// <summary>
    /// Records the outcome of a test that ran at <see cref="NextLevel"/> and returns the updated ledger.
    /// </summary>
    /// <param name="verified">Whether the claim verified (p ≤ α_t and the claim's other conditions held).</param>
    /// <returns>A new ledger: wealth + fdrAlpha / 2 if verified, otherwise wealth − α_t / (1 − α_t); counts updated.</returns>
    /// <exception cref="InvalidOperationException">The ledger <see cref="IsSpent"/>; no further test may run on it.</exception>
    public AlphaInvestingLedger Record(bool verified)
    {
        if (IsSpent)
        {
            throw new InvalidOperationException("The alpha-wealth is spent; the competition needs a fresh holdout.");
        }

        var level = NextLevel;
        return this with
        {
            // Clamped because α_t / (1 − α_t) < W holds exactly but could round to a hair above it.
            Wealth = verified ? Wealth + FdrAlpha / 2.0 : Math.Max(0.0, Wealth - level / (1.0 - level)),
            TestsRun = TestsRun + 1,
            TestsVerified = TestsVerified + (verified ? 1 : 0),
        };
    }
}
