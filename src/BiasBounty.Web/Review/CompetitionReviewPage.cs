using BiasBounty.Web.OrganizerShell;

namespace BiasBounty.Web.Review;

/// <summary>The review pages: an organizer page of one competition that also acts through <see cref="TriageService"/>.</summary>
public abstract class CompetitionReviewPage : OrganizerCompetitionPage
{
    /// <summary>Runs an action of <see cref="TriageService"/> in its own scope.</summary>
    protected Task<T> TriageAsync<T>(Func<TriageService, Task<T>> action) =>
        InScopeAsync(services => action(services.GetRequiredService<TriageService>()));
}
