using BiasBounty.Web.Components.Account;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BiasBounty.Web.Accounts;

public static class Roles
{
    public const string Participant = "Participant";
    public const string Organizer = "Organizer";
    public const string Admin = "Admin";

    public static readonly string[] All = [Participant, Organizer, Admin];

    /// <summary>Policy of the organizer and admin tools (the Hangfire dashboard among them).</summary>
    public const string StaffPolicy = "Staff";
}
