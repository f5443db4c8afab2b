using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Tests.Models;

/// <summary>The real datasets the model tests use, loaded once per test run.</summary>
internal static class ModelTestData
{
    private static readonly Lazy<Dataset> LazyAdultTrain = new(() => CsvDatasetLoader.Load(TestData.Path("adult.data.gz")));
    private static readonly Lazy<Dataset> LazyAdultTest = new(() => CsvDatasetLoader.Load(TestData.Path("adult.test.gz")));
    private static readonly Lazy<Dataset> LazyWyoming = new(() => CsvDatasetLoader.Load(TestData.Path("acs-income-2018-WY.csv.gz")));

    public static Dataset AdultTrain => LazyAdultTrain.Value;

    public static Dataset AdultTest => LazyAdultTest.Value;

    /// <summary>ACS income, Wyoming, with its sidecar schema (10 numeric features, label PINCP).</summary>
    public static Dataset Wyoming => LazyWyoming.Value;

    public static int[] AllRows(Dataset data) => Enumerable.Range(0, data.RowCount).ToArray();

    public static double ErrorRate(float[] predictions, float[] y) =>
        predictions.Zip(y).Count(p => p.First != p.Second) / (double)y.Length;

    /// <summary>
    /// A small synthetic table shaped like the real ones: numeric AGEP and SEX, categorical workclass, a hidden
    /// column and a categorical label with positive class "&gt;50K". Row values are given per column.
    /// </summary>
    public static Dataset Tiny(float[] age, float[] sex, string?[] workclass, string[] income)
    {
        var schema = new DatasetSchema(
        [
            new ColumnSpec("AGEP", ColumnKind.Numeric),
            new ColumnSpec("SEX", ColumnKind.Numeric),
            new ColumnSpec("workclass", ColumnKind.Categorical),
            new ColumnSpec("fnlwgt", ColumnKind.Numeric, ColumnRole.Hidden),
            new ColumnSpec("income", ColumnKind.Categorical, ColumnRole.Label),
        ], LabelColumn: "income", PositiveClass: ">50K");
        return new Dataset(schema,
        [
            NumericColumn.FromValues("AGEP", age),
            NumericColumn.FromValues("SEX", sex),
            CategoricalColumn.FromValues("workclass", workclass),
            NumericColumn.FromValues("fnlwgt", age.Select(a => a * 1000).ToArray()),
            CategoricalColumn.FromValues("income", income),
        ]);
    }

    /// <summary>A 20-row <see cref="Tiny"/> table with a missing workclass and both label classes.</summary>
    public static Dataset TwentyRows()
    {
        var age = Enumerable.Range(0, 20).Select(i => 20f + 3 * i).ToArray();
        var sex = Enumerable.Range(0, 20).Select(i => (float)(1 + i % 2)).ToArray();
        var workclass = Enumerable.Range(0, 20).Select(i => i == 3 ? null : i % 3 == 0 ? "Private" : "State-gov").ToArray();
        var income = Enumerable.Range(0, 20).Select(i => i % 4 == 0 ? ">50K" : "<=50K").ToArray();
        return Tiny(age, sex, workclass, income);
    }
}
