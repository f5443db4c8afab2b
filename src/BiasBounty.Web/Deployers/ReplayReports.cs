using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using BiasBounty.Scoring.Replay;
using CsvHelper;

namespace BiasBounty.Web.Deployers;

/// <summary>A replay report as stored and downloaded: JSON (the engine's record) and CSV (one line per version and group).</summary>
public static class ReplayReports
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string ToJson(ReplayReport report) => JsonSerializer.Serialize(report, Json);

    public static ReplayReport FromJson(string json) => JsonSerializer.Deserialize<ReplayReport>(json, Json)!;

    /// <summary>
    /// One line per version and group (the overall error first, as group "all rows"); the flags, then the clusters (speakers) of an evaluation table's group.
    /// Expressions quote the deployer's own values: a cell a spreadsheet would run as a formula is escaped.
    /// </summary>
    public static byte[] ToCsv(ReplayReport report)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvOptions, leaveOpen: true))
        {
            csv.WriteHeader(["version", "group", "source", "rows", "error", "lower_95", "upper_95", "error_elsewhere", "holm_p", "significant_gap", "gap_on_holdout", "flag", "clusters"]);
            foreach (var version in report.Versions)
            {
                csv.WriteRecord(Number(version.Version), "all rows", "overall", Number(version.Rows), Rate(version.Error), Rate(version.Lower), Rate(version.Upper), "", "", "", "", "", Clusters(version.Clusters));
                foreach (var g in version.Groups)
                {
                    var flags = report.Flags.Where(f => f.Version == version.Version && f.Expression == g.Expression).Select(f => Kind(f.Kind));
                    csv.WriteRecord(Number(version.Version), g.Expression, Kind(g.Source), Number(g.Rows), Rate(g.Error), Rate(g.Lower), Rate(g.Upper), Rate(g.RestError),
                        g.AdjustedPValue.ToString("G4", CultureInfo.InvariantCulture), g.SignificantGap ? "yes" : "no",
                        g.GapOnHoldout switch { true => "yes", false => "no", null => "" }, string.Join(" ", flags), Clusters(g.Clusters));
                }
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The kebab-case name of an enum value, as in the JSON.</summary>
    public static string Kind<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Clusters (speakers) of an evaluation table's group; empty for a model's replay.</summary>
    private static string Clusters(int? value) => value is { } v ? Number(v) : "";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Rate(double value) => value.ToString("0.#####", CultureInfo.InvariantCulture);

    private static readonly CsvWriterOptions CsvOptions = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };
}
