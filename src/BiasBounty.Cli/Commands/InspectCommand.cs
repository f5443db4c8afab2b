using System.Globalization;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Cli.Commands;

/// <summary><c>bbounty inspect FILE</c>: schema, missing values and label balance.</summary>
public static class InspectCommand
{
    public const string Usage = "bbounty inspect FILE [--label COL] [--positive VALUE]";

    public static int Run(CommandLine args, TextWriter output)
    {
        var path = args.Positionals.Count == 1 ? args.Positionals[0] : throw new UsageException($"usage: {Usage}");
        var data = DataFiles.Load(path, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();

        output.WriteLine($"{Path.GetFileName(path)}: {data.RowCount:N0} rows, {data.Columns.Count} columns");
        output.WriteLine();
        output.WriteLine($"{"column",-24} {"kind",-12} {"role",-8} {"distinct",9} {"missing",9}  values");
        foreach (var column in data.Profile())
        {
            var values = column.Kind == ColumnKind.Numeric
                ? column.Min is null ? "" : $"{column.Min.Value.ToString("G6", CultureInfo.InvariantCulture)} … {column.Max!.Value.ToString("G6", CultureInfo.InvariantCulture)}"
                : column.Values is { } list ? Shorten(string.Join(", ", list), 60) : "(many)";
            output.WriteLine($"{column.Name,-24} {column.Kind.ToString().ToLowerInvariant(),-12} {column.Role.ToString().ToLowerInvariant(),-8} {column.DistinctCount,9:N0} {column.MissingCount,9:N0}  {values}");
        }
        if (data.Schema.LabelColumn is not null)
        {
            var domain = LabelDomain.Of(data);
            output.WriteLine();
            if (domain.Task == TaskKind.Classification)
            {
                var positives = domain.Encode(data).Count(y => y == 1f);
                output.WriteLine($"label {domain.Column}: positive '{domain.PositiveClass}' {positives:N0} ({100.0 * positives / data.RowCount:0.0} %), " +
                    $"negative '{domain.NegativeClass}' {data.RowCount - positives:N0} ({100.0 * (data.RowCount - positives) / data.RowCount:0.0} %)");
            }
            else
            {
                output.WriteLine($"label {domain.Column}: numeric (regression)");
            }
        }
        return 0;
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
