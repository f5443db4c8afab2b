using System.ComponentModel.DataAnnotations;

namespace BiasBounty.Web.Hosting;

/// <summary>Section <c>BiasBounty:Telemetry</c>: OpenTelemetry traces and metrics (docs/deploy.md).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "BiasBounty:Telemetry";

    /// <summary>Serve metrics for Prometheus to scrape at <see cref="PrometheusPath"/>, on every role.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Where Prometheus scrapes.</summary>
    [RegularExpression("^/[a-z0-9/_-]*$", ErrorMessage = "BiasBounty:Telemetry:PrometheusPath must be a path such as /metrics.")]
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>An OTLP collector (e.g. http://otel-collector:4317) to send traces and metrics to; none when empty.</summary>
    [Url]
    public string? OtlpEndpoint { get; set; }

    /// <summary>The service name traces and metrics carry; each role adds its own instance id.</summary>
    [Required]
    public string ServiceName { get; set; } = "biasbounty";
}
