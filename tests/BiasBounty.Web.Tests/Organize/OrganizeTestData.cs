using System.IO.Compression;
using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Demo;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>Files for the organizer tests: the real demo data and small hand-written tables.</summary>
public static class OrganizeTestData
{
    public static string Folder => DemoSeeder.DataFolder(null, AppContext.BaseDirectory);

    /// <summary>ACS income, Wyoming 2018: 3,064 rows, label PINCP (True/False), all features numeric.</summary>
    public static byte[] Wyoming => File.ReadAllBytes(Path.Combine(Folder, "acs-income-2018-WY.csv.gz"));

    /// <summary>German credit: 1,000 rows without a header line; its columns are in the sidecar schema.</summary>
    public static byte[] GermanCredit => File.ReadAllBytes(Path.Combine(Folder, "german-credit.data.gz"));

    /// <summary>German credit's sidecar schema (<c>german-credit.data.schema.json</c>): headerless, label <c>credit</c>.</summary>
    public static byte[] GermanCreditSchema => File.ReadAllBytes(Path.Combine(Folder, "german-credit.data.schema.json"));

    public static byte[] Text(string csv) => Encoding.UTF8.GetBytes(csv.ReplaceLineEndings("\n"));

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(content);
        return buffer.ToArray();
    }

    /// <summary>A table of <paramref name="rows"/> rows: age (numeric), colour (text), label y (high/low, neither conventionally positive).</summary>
    public static string Table(int rows, string header = "age,colour,y", Func<int, string>? label = null)
    {
        var text = new StringBuilder(header).Append('\n');
        for (var i = 0; i < rows; i++)
            text.Append(20 + i % 50).Append(',').Append(i % 3 == 0 ? "red" : "blue").Append(',').Append(label?.Invoke(i) ?? (i % 2 == 0 ? "high" : "low")).Append('\n');
        return text.ToString();
    }

    /// <summary>A valid ONNX model for a schema with the columns (a, b) and label z: it binds to no other schema.</summary>
    public static byte[] ModelForOtherColumns()
    {
        var data = CsvDatasetLoader.Load(Text(Table(200, "a,b,z")));
        data = data.WithSchema(data.Schema.WithRole("z", ColumnRole.Label) with { LabelColumn = "z", PositiveClass = "high" });
        return LogisticRegressionTrainer.Train(data, LabelDomain.Of(data)).ToOnnx();
    }
}
