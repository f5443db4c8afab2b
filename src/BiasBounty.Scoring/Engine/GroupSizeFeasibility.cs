namespace BiasBounty.Scoring.Engine;

/// <summary>
/// Which group sizes a holdout can test with given settings, from the size gate of
/// <see cref="SubmissionScorer"/> (docs/scoring-rules.md, "Gates"): the group and the rest must each hold at least
/// <see cref="CompetitionSettings.MinGroupRows"/> eligible rows in the feedback part and in the confirmation part, and
/// the group at least <see cref="CompetitionSettings.MinGroupShare"/> of the eligible rows. Assumes a group is spread
/// over the two parts in proportion to their sizes (the split is random), so the bounds are what an organizer can
/// expect, not a promise for one particular group. Pure.
/// </summary>
public sealed record GroupSizeFeasibility(int EligibleRows, int FeedbackRows, int ConfirmationRows, int MinGroupRows)
{
    /// <summary>A range from 10 % to 90 % of the holdout is what "sensible" means in <see cref="SuggestedMinGroupRows"/>.</summary>
    public const double SensibleShare = 0.1;

    /// <summary>Smallest testable group, in eligible rows of the holdout.</summary>
    public int SmallestRows { get; init; }

    /// <summary>Largest testable group, in eligible rows of the holdout.</summary>
    public int LargestRows { get; init; }

    /// <summary>True when at least one group size passes the size gate.</summary>
    public bool AnyTestable => EligibleRows > 0 && SmallestRows <= LargestRows;

    public double SmallestShare => EligibleRows == 0 ? 0 : (double)SmallestRows / EligibleRows;

    public double LargestShare => EligibleRows == 0 ? 0 : (double)LargestRows / EligibleRows;

    /// <summary>The largest minGroupRows (at least 2) that makes every group of 10 %–90 % of the holdout testable; 0 when even 2 does not.</summary>
    public int SuggestedMinGroupRows { get; init; }

    /// <summary>Eligible holdout rows needed for groups of 10 %–90 % to be testable with the current minGroupRows.</summary>
    public int SuggestedHoldoutRows { get; init; }

    /// <summary>True when groups of 10 %–90 % of the holdout are all testable.</summary>
    public bool SensibleRangeTestable => AnyTestable && SmallestShare <= SensibleShare && LargestShare >= 1 - SensibleShare;

    /// <summary>The feasibility for a holdout of <paramref name="eligibleRows"/> rows split with the settings' feedback share.</summary>
    public static GroupSizeFeasibility Of(int eligibleRows, CompetitionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var feedback = (int)Math.Round(eligibleRows * settings.FeedbackShare, MidpointRounding.AwayFromZero);
        return Of(feedback, eligibleRows - feedback, settings);
    }

    /// <summary>The feasibility for a holdout whose eligible rows are already split into feedback and confirmation parts.</summary>
    public static GroupSizeFeasibility Of(int feedbackRows, int confirmationRows, CompetitionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(feedbackRows);
        ArgumentOutOfRangeException.ThrowIfNegative(confirmationRows);
        var n = feedbackRows + confirmationRows;
        var m = settings.MinGroupRows;
        var smallerPart = Math.Min(feedbackRows, confirmationRows);
        var smallerShare = n == 0 ? 0 : (double)smallerPart / n;
        // A group of s rows puts about s·share of them in each part: s·smallerShare ≥ m, and the same for the rest.
        var bySize = smallerShare == 0 ? int.MaxValue : (int)Math.Ceiling(m / smallerShare - 1e-9);
        var byShare = (int)Math.Ceiling(settings.MinGroupShare * n - 1e-9);
        var smallest = Math.Max(1, Math.Max(bySize, byShare));
        var largest = bySize == int.MaxValue ? -1 : n - bySize;
        var suggested = (int)Math.Floor(SensibleShare * n * smallerShare + 1e-9);
        var neededRows = smallerShare == 0 ? int.MaxValue : (int)Math.Ceiling(m / (SensibleShare * smallerShare) - 1e-9);
        return new GroupSizeFeasibility(n, feedbackRows, confirmationRows, m)
        {
            SmallestRows = smallest,
            LargestRows = largest,
            SuggestedMinGroupRows = suggested >= 2 ? suggested : 0,
            SuggestedHoldoutRows = neededRows,
        };
    }
}
