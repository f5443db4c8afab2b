using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Web.Competitions;

namespace BiasBounty.Web.Components.Tests;

/// <summary>A ten-row public training set for the real expression checks (age, sex, label income).</summary>
public static class TinyData
{
    public static PublicData Public { get; } = PublicData.Of(CsvDatasetLoader.Load(Encoding.UTF8.GetBytes("""
        age,sex,income
        25,Female,<=50K
        38,Male,>50K
        61,Female,<=50K
        70,Male,>50K
        45,Female,<=50K
        52,Male,<=50K
        33,Female,>50K
        66,Female,<=50K
        29,Male,<=50K
        48,Male,>50K
        """), new CsvLoadOptions(Schema: new DatasetSchema(
        [new ColumnSpec("age", ColumnKind.Numeric), new ColumnSpec("sex", ColumnKind.Categorical), new ColumnSpec("income", ColumnKind.Categorical, ColumnRole.Label)],
        LabelColumn: "income", PositiveClass: ">50K"))));
}
