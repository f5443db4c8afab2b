using System.IO.Compression;
using System.Text;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Tests.Data;

public class CsvDatasetLoaderTests
{
    [Fact]
    public void Load_ReadsAdultTraining_WithSidecarSchemaAndMissingValues()
    {
        var data = CsvDatasetLoader.Load(TestData.Path("adult.data.gz"));

        Assert.Equal(32_561, data.RowCount);
        Assert.Equal(15, data.Columns.Count);
        var workclass = Assert.IsType<CategoricalColumn>(data["workclass"]);
        Assert.Equal(1_836, workclass.MissingCount);
        Assert.DoesNotContain("?", workclass.Categories);
        Assert.Contains("State-gov", workclass.Categories); // ", " separators are trimmed
        Assert.Equal(1_843, data["occupation"].MissingCount);
        Assert.Equal(583, data["native-country"].MissingCount);
        Assert.Equal(39f, Assert.IsType<NumericColumn>(data["age"]).Values[0]);
        var domain = LabelDomain.Of(data);
        Assert.Equal(TaskKind.Classification, domain.Task);
        Assert.Equal(7_841, domain.Encode(data).Count(y => y == 1f));
    }

    [Fact]
    public void Load_ReadsAdultTest_SkippingJunkLineAndMatchingLabelsWithTrailingPeriod()
    {
        var data = CsvDatasetLoader.Load(TestData.Path("adult.test.gz"));

        Assert.Equal(16_281, data.RowCount);
        var domain = LabelDomain.Of(data);
        Assert.Equal(">50K", domain.PositiveClass);
        Assert.Equal(3_846, domain.Encode(data).Count(y => y == 1f));
    }

    [Fact]
    public void Load_ReadsAcsGeorgia_FloatsAsNumbersAndTrueFalseLabel()
    {
        var data = CsvDatasetLoader.Load(TestData.Path("acs-income-2018-GA.csv.gz"));

        Assert.Equal(50_915, data.RowCount);
        var sex = Assert.IsType<NumericColumn>(data["SEX"]);
        Assert.Equal(24_537, sex.Values.Count(v => v == 2f));
        var race = Assert.IsType<NumericColumn>(data["RAC1P"]);
        Assert.Equal([34_441, 12_151, 2_188, 137, 1_998], Enumerable.Range(1, 5).Select(r => race.Values.Count(v => v == r)));
        Assert.Equal(18_045, LabelDomain.Of(data).Encode(data).Count(y => y == 1f));
    }

    [Fact]
    public void Load_ReadsAcsWyoming_WithoutSidecar_InfersKinds()
    {
        var bytes = File.ReadAllBytes(TestData.Path("acs-income-2018-WY.csv.gz"));
        var data = CsvDatasetLoader.Load(bytes);

        Assert.Equal(3_064, data.RowCount);
        Assert.Equal(ColumnKind.Numeric, data["AGEP"].Kind);
        Assert.Equal(ColumnKind.Categorical, data["PINCP"].Kind);
    }

    [Fact]
    public void Load_ReadsGermanCredit_SpaceSeparatedWithTrailingSpace()
    {
        var data = CsvDatasetLoader.Load(TestData.Path("german-credit.data.gz"));

        Assert.Equal(1_000, data.RowCount);
        Assert.Equal(21, data.Columns.Count);
        Assert.Contains("A93", Assert.IsType<CategoricalColumn>(data["personal_status_sex"]).Categories);
        Assert.Equal(300, LabelDomain.Of(data).Encode(data).Count(y => y == 1f));
    }

    [Fact]
    public void Load_ReadsGzipAndPlainTextAlike()
    {
        const string csv = "a,b,label\n1,x,yes\n2,y,no\n";
        var plain = CsvDatasetLoader.Load(Encoding.UTF8.GetBytes(csv));
        var gzipped = CsvDatasetLoader.Load(Gzip(csv));

        Assert.Equal(plain.RowCount, gzipped.RowCount);
        Assert.Equal(plain.Schema, gzipped.Schema with { Columns = plain.Schema.Columns });
        Assert.Equal(((NumericColumn)plain["a"]).Values, ((NumericColumn)gzipped["a"]).Values);
    }

    [Fact]
    public void Load_ReadsTabSeparatedWithQuotedFields()
    {
        var data = CsvDatasetLoader.Load(Encoding.UTF8.GetBytes("name\tn\n\"a b\"\t1\nc\t\n"));

        Assert.Equal(["a b", "c"], ((CategoricalColumn)data["name"]).Categories);
        Assert.True(data["n"].IsMissing(1));
    }

    [Theory]
    [InlineData("a,b\n1,2\n3\n", "line 3: expected 2 fields, found 1")]
    [InlineData("a,a\n1,2\n", "line 1: the header names column 'a' twice")]
    [InlineData("a,b\n", "the file has a header but no data rows")]
    [InlineData("", "the file has no data")]
    [InlineData("a,,c\n1,2,3\n", "line 1: column 2 of the header has no name")]
    public void Load_RefusesMalformedFile_NamingTheLine(string content, string expected)
    {
        var error = Assert.Throws<DatasetFormatException>(() => CsvDatasetLoader.Load(Encoding.UTF8.GetBytes(content)));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Load_RefusesTextInNumericColumn_NamingLineAndColumnButNotTheValue()
    {
        var schema = new DatasetSchema([new ColumnSpec("age", ColumnKind.Numeric), new ColumnSpec("y", ColumnKind.Categorical)]);
        var error = Assert.Throws<DatasetFormatException>(() =>
            CsvDatasetLoader.Load(Encoding.UTF8.GetBytes("age,y\n30,a\nsecret-value,b\n"), new CsvLoadOptions(Schema: schema)));

        Assert.Equal("line 3, column 'age': expected a number", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void Load_RefusesInvalidGzip()
    {
        var error = Assert.Throws<DatasetFormatException>(() => CsvDatasetLoader.Load(new byte[] { 0x1f, 0x8b, 1, 2, 3 }));
        Assert.Contains("not valid gzip", error.Message);
    }

    [Fact]
    public void Load_RefusesBinaryGarbage_AsNotUtf8()
    {
        var error = Assert.Throws<DatasetFormatException>(() => CsvDatasetLoader.Load(new byte[] { 0xff, 0xfe, 0xfd, 0x00, 0xc3 }));
        Assert.Equal("line 1, field 1: the text is not UTF-8 (another encoding such as Latin-1 or Windows-1252?); save the file as UTF-8", error.Message);
    }

    [Fact]
    public void Load_NamesTheColumnOfTextThatIsNotUtf8_FromTheHeader()
    {
        var bytes = Encoding.ASCII.GetBytes("id\treference\n1\tcaf").Concat(new byte[] { 0xE9 }).Concat(Encoding.ASCII.GetBytes("\n")).ToArray();
        var error = Assert.Throws<DatasetFormatException>(() => CsvDatasetLoader.Load(bytes));
        Assert.Equal("line 2, column 'reference': the text is not UTF-8 (another encoding such as Latin-1 or Windows-1252?); save the file as UTF-8", error.Message);
    }

    [Fact]
    public void LabelDomain_AsksForPositiveClass_WhenItCannotTell()
    {
        var data = CsvDatasetLoader.Load(Encoding.UTF8.GetBytes("x,y\n1,cat\n2,dog\n"));
        var error = Assert.Throws<ScoringInputException>(() => LabelDomain.Of(data.WithSchema(data.Schema with { LabelColumn = "y" })));
        Assert.Equal("label 'y' has values cat, dog: say which is the positive class (e.g. --positive \"dog\")", error.Message);
    }

    [Fact]
    public void LabelDomain_TreatsManyValuedNumericLabel_AsRegression()
    {
        var data = CsvDatasetLoader.Load(Encoding.UTF8.GetBytes("x,y\n1,0.5\n2,1.5\n3,7\n"));
        var domain = LabelDomain.Of(data.WithSchema(data.Schema with { LabelColumn = "y" }));
        Assert.Equal(TaskKind.Regression, domain.Task);
        Assert.Equal([0.5f, 1.5f, 7f], domain.Encode(data.WithSchema(data.Schema with { LabelColumn = "y" })));
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }
}
