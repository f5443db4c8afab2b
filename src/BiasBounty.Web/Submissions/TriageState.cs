namespace BiasBounty.Web.Submissions;

/// <summary>
/// The organizer's review of a submission, as on a bounty platform: <see cref="New"/> until the engine has answered,
/// <see cref="Scored"/> while it waits for an organizer, then one of the four decisions (each with a note).
/// </summary>
public enum TriageState { New, Scored, Approved, Duplicate, NeedsMoreInfo, Disqualified }

public static class TriageStateText
{
    public static string Label(this TriageState state) => state switch
    {
        TriageState.New => "New",
        TriageState.Scored => "Scored",
        TriageState.Approved => "Approved",
        TriageState.Duplicate => "Duplicate",
        TriageState.NeedsMoreInfo => "Needs more info",
        TriageState.Disqualified => "Disqualified",
        _ => state.ToString(),
    };

    /// <summary>
    /// The state as the submitting team reads it: <see cref="TriageState.Scored"/> is not a result but a queue, so it
    /// reads "Awaiting review" (organizers see <see cref="Label"/>).
    /// </summary>
    public static string ForParticipants(this TriageState state) => state switch
    {
        TriageState.New => "Awaiting the engine",
        TriageState.Scored => "Awaiting review",
        _ => state.Label(),
    };

    /// <summary>Decisions that take a submission's points off the standings (a duplicate or a rule violation earns nothing).</summary>
    public static bool ForfeitsPoints(this TriageState state) => state is TriageState.Duplicate or TriageState.Disqualified;
}
