using System.Text.Json.Serialization;

namespace BiasBounty.Scoring.Statistics;

/// <summary>
/// The accept budget of the paper's certificate checker (docs/scoring-rules.md): with K = ⌊2 / ε⌋ a holdout supports at most
/// K + 1 accepted fixes and repairs. Immutable: <see cref="Consume"/> returns the next budget.
/// </summary>
/// <remarks>
/// Serialises with System.Text.Json as <see cref="Epsilon"/> and <see cref="Used"/>; the derived properties are not
/// written. Both stored properties are validated on construction, on deserialisation and in <c>with</c> expressions.
/// </remarks>
public sealed record AcceptBudget
{
    /// <summary>Creates a budget in an explicit state.</summary>
    /// <param name="epsilon">The certificate threshold ε, in [1e-9, 1].</param>
    /// <param name="used">Accepts and repairs already spent, ≥ 0 (may exceed the capacity, see <see cref="Consume"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range (NaN included); the exception names it.</exception>
    [JsonConstructor]
    public AcceptBudget(double epsilon, int used)
    {
        Epsilon = epsilon;
        Used = used;
    }

    /// <summary>The certificate threshold ε, in [1e-9, 1] (the lower limit keeps K + 1 within <see cref="int"/>).</summary>
    public double Epsilon
    {
        get;
        init => field = value >= 1e-9 && value <= 1.0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Epsilon), value, "Epsilon must lie in [1e-9, 1].");
    }

    /// <summary>Accepted fixes and repairs counted against this holdout.</summary>
    public int Used
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Used), value, "A count cannot be negative.");
    }

    /// <summary>
    /// K = ⌊2 / ε⌋. The quotient is nudged up by one part in 10¹² before flooring so that a decimal ε such as 0.001,
    /// which is not exact in binary, cannot round 2 / ε to just below an integer and lose one accept.
    /// </summary>
    [JsonIgnore]
    public int K => (int)Math.Floor(2.0 / Epsilon * (1.0 + 1e-12));

    /// <summary>K + 1, the number of accepts and repairs the holdout supports.</summary>
    [JsonIgnore]
    public int Capacity => K + 1;

    /// <summary>Capacity − Used, never negative.</summary>
    [JsonIgnore]
    public int Remaining => Math.Max(0, Capacity - Used);

    /// <summary>True once <see cref="Used"/> ≥ <see cref="Capacity"/>; the holdout should then be refreshed.</summary>
    [JsonIgnore]
    public bool IsExhausted => Used >= Capacity;

    /// <summary>A fresh budget with nothing used.</summary>
    /// <param name="epsilon">The certificate threshold ε, in [1e-9, 1]; docs/scoring-rules.md's default is 0.001 (K = 2000).</param>
    /// <returns>The new budget.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is outside [1e-9, 1] or is NaN.</exception>
    public static AcceptBudget Start(double epsilon = 0.001)
    {
        if (!(epsilon >= 1e-9 && epsilon <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must lie in [1e-9, 1].");
        }

        return new AcceptBudget(epsilon, 0);
    }

    /// <summary>
    /// Counts <paramref name="count"/> more accepts or repairs and returns the updated budget.
    /// </summary>
    /// <param name="count">How many to count, ≥ 1 (an accepted fix plus the repairs it triggered).</param>
    /// <returns>The new budget. <see cref="Used"/> may end above <see cref="Capacity"/>: the repairs that belong to an
    /// acceptance are always counted, and <see cref="IsExhausted"/> then reports it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The budget <see cref="IsExhausted"/> before the call.</exception>
    public AcceptBudget Consume(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(count));
        if (IsExhausted)
        {
            throw new InvalidOperationException("The accept budget of this holdout is exhausted; upload a fresh holdout.");
        }

        return this with { Used = checked(Used + count) };
    }
}
