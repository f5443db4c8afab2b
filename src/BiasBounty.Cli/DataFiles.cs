using BiasBounty.Scoring.Data;

namespace BiasBounty.Cli;

/// <summary>Loads a data file the way every command does: sidecar schema, then --label / --positive overrides.</summary>
public static class DataFiles
{
    public static Dataset Load(string path, string? label = null, string? positive = null)
    {
        var data = CsvDatasetLoader.Load(path);
        var schema = data.Schema;
        if (label is not null)
        {
            if (schema.Find(label) is null)
                throw new UsageException($"--label '{label}' is not a column of {Path.GetFileName(path)}; columns are {string.Join(", ", schema.Columns.Select(c => c.Name))}");
            if (schema.LabelColumn is { } previous && previous != label) schema = schema.WithRole(previous, ColumnRole.Hidden);
            schema = schema.WithRole(label, ColumnRole.Label) with { LabelColumn = label, PositiveClass = positive };
        }
        else if (positive is not null)
        {
            schema = schema with { PositiveClass = positive };
        }
        return schema == data.Schema ? data : data.WithSchema(schema);
    }
}
