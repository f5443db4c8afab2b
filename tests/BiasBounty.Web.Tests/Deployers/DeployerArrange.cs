using System.Globalization;
using System.IO.Compression;
using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Deployers;

/// <summary>Deployers' data for tests and walks: a competition's public rows with a planted group.</summary>
public static class DeployerArrange
{
    /// <summary>The planted group: on the deployer's rows, 3 of every 5 of its labels are flipped.</summary>
    public const string Planted = "race == \"Black\"";

    /// <summary>
    /// The competition's first <paramref name="rows"/> public rows as a CSV with a header (the training download's form),
    /// with the planted group's labels flipped at 3 of 5 rows; <paramref name="change"/> edits each data line.
    /// </summary>
    public static async Task<byte[]> PlantedCsvAsync(PlatformFactory platform, Guid competitionId, int rows = 4_000, Func<string, string>? change = null)
    {
        await using var scope = platform.Scope();
        var training = (await scope.ServiceProvider.GetRequiredService<PublicDataCache>().GetAsync(platform.NewDb(scope), competitionId))!.Training;
        var domain = LabelDomain.Of(training);
        using var reader = new StreamReader(new GZipStream(new MemoryStream(CsvDatasetWriter.ToBytes(training.SelectRows(Enumerable.Range(0, rows).ToArray()))), CompressionMode.Decompress));
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var (race, label) = (Array.IndexOf(header, "race"), Array.IndexOf(header, domain.Column));
        var planted = 0;
        var text = new StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells[race].Trim('"') == "Black" && planted++ % 5 < 3)
                cells[label] = LabelDomain.Normalize(cells[label].Trim('"')) == domain.PositiveClass ? domain.NegativeClass! : domain.PositiveClass!;
            text.Append(change is null ? string.Join(',', cells) : change(string.Join(',', cells))).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The planted group of a deployer's evaluation table: every word wrong (a word error rate of 100 %).</summary>
    public const string PlantedSpeech = "speaker_gender == \"female\" and noise == \"quiet\"";

    /// <summary>
    /// A deployer's own evaluation table for a copy of the speech demo: its public part four times over, each copy with
    /// speakers of its own (so 4 × its speakers) and a little variation, in the columns a deployer's table has (features, speaker, loss
    /// columns), with every word wrong in <see cref="PlantedSpeech"/>.
    /// </summary>
    public static async Task<byte[]> PlantedSpeechCsvAsync(PlatformFactory platform, Competition competition)
    {
        await using var scope = platform.Scope();
        var file = await platform.NewDb(scope).StoredFiles.AsNoTracking().SingleAsync(f => f.Id == competition.TrainingFileId);
        var table = CompetitionData.LoadDataset(file.Content, file.LoadSchemaJson);
        var columns = table.Schema.Features.Select(f => f.Name).Concat([table.Schema.ClusterColumn!, table.Schema.LossErrorsColumn!, table.Schema.LossSizeColumn!]).ToArray();
        var text = new StringBuilder(string.Join(',', columns)).Append('\n');
        for (var copy = 0; copy < 4; copy++)
            for (var row = 0; row < table.RowCount; row++)
            {
                var cells = columns.Select(c => table[c].FormatValue(row) ?? "").ToArray();
                cells[Array.IndexOf(columns, table.Schema.ClusterColumn)] += $"-copy{copy}";
                // Copies differ a little (one more error on every third item, shifted per copy), as real speakers would.
                var (errors, size) = (Array.IndexOf(columns, table.Schema.LossErrorsColumn), Array.IndexOf(columns, table.Schema.LossSizeColumn));
                if ((row + copy) % 3 == 0 && float.Parse(cells[errors], CultureInfo.InvariantCulture) < float.Parse(cells[size], CultureInfo.InvariantCulture))
                    cells[errors] = (float.Parse(cells[errors], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                if (table["speaker_gender"].FormatValue(row) == "female" && table["noise"].FormatValue(row) == "quiet")
                    cells[Array.IndexOf(columns, table.Schema.LossErrorsColumn)] = cells[Array.IndexOf(columns, table.Schema.LossSizeColumn)];
                text.AppendJoin(',', cells).Append('\n');
            }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
