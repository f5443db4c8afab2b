using System.ComponentModel.DataAnnotations;

namespace BiasBounty.Web.Demo;

/// <summary>Section <c>BiasBounty:Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string Section = "BiasBounty:Demo";

    /// <summary>Seed the demo competition and organizer on an empty database; unset means "in Development only".</summary>
    public bool? Enabled { get; set; }

    /// <summary>Folder with adult.data.gz, adult.test.gz and their schema sidecars; unset means deploy/demo-data above the app.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Demo conveniences that a real competition must not have: registration shows the e-mail confirmation link on the
    /// page (instead of only mailing it), and the seeded demo organizer's one-time password is printed to the console.
    /// Off unless set (appsettings.Development.json and deploy/run.sh set it; <c>deploy/run.sh --no-demo</c> does not).
    /// </summary>
    public bool ShowConveniences { get; set; }

    /// <summary>
    /// Also seed <c>acs-georgia</c> (<see cref="AcsGeorgiaDemo"/>: ACS 2018 Georgia income, 50,915 rows, split into a
    /// public part and the holdout, a trained baseline). Off unless set; deploy/faults.sh <c>--dataset acs-ga</c> sets it.
    /// </summary>
    public bool AcsGeorgia { get; set; }

    [Required, EmailAddress] public string OrganizerEmail { get; set; } = "organizer@biasbounty.local";

    /// <summary>deploy/loadtest.sh only: seed this many synthetic teams into the demo competition (0: none).</summary>
    [Range(0, 10_000)] public int LoadTestTeams { get; set; }

    [Range(1, 1_000)] public int LoadTestSubmissionsPerTeam { get; set; } = 50;
}
