using BiasBounty.Web.Accounts;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.OrganizerShell;

/// <summary>
/// What the interactive organizer pages of one competition share: the competition of <see cref="Slug"/> if the signed-in user organizes it (404 while
/// prerendering otherwise), the user's id, and a fresh service scope per operation (an interactive page lives for the
/// whole circuit, a DbContext must not).
/// </summary>
public abstract class OrganizerCompetitionPage : ComponentBase
{
    [Parameter] public string Slug { get; set; } = "";

    [CascadingParameter] private Task<AuthenticationState> Auth { get; set; } = default!;

    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [Inject] protected IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject] protected TimeProvider Time { get; set; } = default!;

    /// <summary>Null when the user organizes no competition of that slug.</summary>
    protected Competition? Competition { get; private set; }

    /// <summary>The competition as it is now (after an action changed it, e.g. its status).</summary>
    protected async Task ReloadCompetitionAsync()
    {
        if (Competition is { } current)
            Competition = await InScopeAsync(services => services.GetRequiredService<ApplicationDbContext>().Competitions.AsNoTracking()
                .SingleAsync(c => c.Id == current.Id));
    }

    /// <summary>The competition and what the page is about exist (and the user may see them).</summary>
    protected bool Found { get; private set; }

    protected string UserId { get; private set; } = "";

    protected bool Loaded { get; private set; }

    protected override async Task OnParametersSetAsync()
    {
        var user = (await Auth).User;
        UserId = user.UserId() ?? "";
        Competition = await InScopeAsync(services => services.GetRequiredService<ApplicationDbContext>().Competitions.AsNoTracking()
            .OrganizedBy(user).SingleOrDefaultAsync(c => c.Slug == Slug));
        Found = Competition is not null && await LoadAsync();
        if (!Found) NotFound();
        Loaded = true;
    }

    /// <summary>Reads the page's data; false when what the page is about does not exist (answered with 404).</summary>
    protected abstract Task<bool> LoadAsync();

    /// <summary>Runs <paramref name="work"/> with the services of a new scope (its own DbContext).</summary>
    protected async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private void NotFound()
    {
        if (HttpContext is not null) HttpContext.Response.StatusCode = StatusCodes.Status404NotFound;
    }
}
