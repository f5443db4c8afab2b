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

    [Required, EmailAddress] public string OrganizerEmail { get; set; } = "organizer@biasbounty.local";
}
