using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Hosting;

/// <summary>What one process of the platform does; every process uses the same database.</summary>
public enum PlatformRole
{
    /// <summary>Pages, API and the job server: one machine runs everything.</summary>
    All,

    /// <summary>Pages and API only; jobs are enqueued for workers elsewhere.</summary>
    Web,

    /// <summary>The Hangfire job server only; no pages.</summary>
    Worker,
}

/// <summary>Section <c>BiasBounty</c>.</summary>
public sealed class PlatformOptions
{
    public const string Section = "BiasBounty";

    [EnumDataType(typeof(PlatformRole))]
    public PlatformRole Role { get; set; } = PlatformRole.All;

    /// <summary>The site's public address, for links in e-mails sent from jobs (no request to read it from).</summary>
    [Url]
    public string PublicUrl { get; set; } = "http://localhost:5000/";
}

public static class PlatformRoleExtensions
{
    public static bool ServesPages(this PlatformRole role) => role != PlatformRole.Worker;

    public static bool RunsJobs(this PlatformRole role) => role != PlatformRole.Web;

    /// <summary>The role, read while services are registered (it decides which are).</summary>
    public static PlatformRole GetPlatformRole(this IHostApplicationBuilder builder) => builder.Configuration.GetPlatformRole();

    public static PlatformRole GetPlatformRole(this IConfiguration configuration) =>
        configuration.GetSection(PlatformOptions.Section).Get<PlatformOptions>()?.Role ?? PlatformRole.All;

    /// <summary>Binds an options class to a configuration section, validated by its data annotations at start-up.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section) where T : class =>
        builder.Services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
