using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Demo;

/// <summary>
/// An optional third demo (<c>BiasBounty:Demo:AcsGeorgia</c>, for deploy/faults.sh's measurements on a larger table):
/// US Census ACS PUMS 2018, Georgia, the "ACSIncome" task (provenance in deploy/demo-data/README.md). The one file is
/// split, stratified by the label and seeded, into a public training part (two thirds, as UCI Adult's adult.data is of
/// the whole) and the hidden holdout; the rest is seeded the Adult demo's way (a logistic baseline, fixes taken).
/// </summary>
public static class AcsGeorgiaDemo
{
    public const string Slug = "acs-georgia";

    public const string DataFileName = "acs-income-2018-GA.csv.gz";

    public const double PublicShare = 2.0 / 3;

    public static bool Available(string folder) => File.Exists(Path.Combine(folder, DataFileName));

    /// <summary>The public training part and the holdout, each a header CSV with the extract's schema.</summary>
    public static (DataFile Public, DataFile Holdout) Split(string folder)
    {
        var data = CsvDatasetLoader.Load(Path.Combine(folder, DataFileName));
        var publicRows = Holdout.StratifiedSplit(LabelDomain.Of(data).Encode(data), PublicShare, seed: 2026);
        return (DataFile.WithSchema("acs-income-2018-GA-public.csv.gz", CsvDatasetWriter.ToBytes(data.SelectRows(publicRows.ToIndices())), data.Schema),
            DataFile.WithSchema("acs-income-2018-GA-holdout.csv.gz", CsvDatasetWriter.ToBytes(data.SelectRows(publicRows.Not().ToIndices())), data.Schema));
    }

    public const string Name = "Income in Georgia (US Census ACS 2018, demo)";

    public const string Description = """
        Find groups of people on which the baseline income classifier errs more often than on everyone else, and
        propose fixes. Data: the US Census American Community Survey 2018 (1-year PUMS), Georgia, people over 16 who worked (usual hours above 0) and earned over $100;
        the label `PINCP` is whether the person's income was above $50,000. Codes: `SEX` 1 male, 2 female; `RAC1P`
        1 White, 2 Black, 3 Asian, 4 American Indian or Alaska Native, 5 other or two or more races; `MAR` 1 married;
        `AGEP` age in years; `WKHP` usual hours worked a week; `SCHL` educational attainment (21 bachelor's degree).
        A seeded two thirds of the 50,915 rows are public; the rest is the hidden holdout.
        Provenance: `deploy/demo-data/README.md`.
        """;
}
