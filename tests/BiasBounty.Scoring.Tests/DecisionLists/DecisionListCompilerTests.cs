using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Scoring.Synthetic;
using Microsoft.ML.OnnxRuntime;

namespace BiasBounty.Scoring.Tests.DecisionLists;

public class DecisionListCompilerTests
{
    private const double Epsilon = 0.001;

    /// <summary>Synthetic credit data with missing values planted in numeric and text columns.</summary>
    internal static Dataset DataWithMissing(int rows, int seed)
    {
        var data = PlantedBiasGenerator.Tabular(rows, seed).Data;
        var columns = data.Columns.Select(c => c switch
        {
            NumericColumn n when c.Name is "income" or "debt" =>
                (Column)NumericColumn.FromValues(c.Name, n.Values.Select((v, i) => i % (c.Name == "income" ? 17 : 29) == 3 ? float.NaN : v).ToArray()),
            CategoricalColumn t when c.Name is "region" or "education" =>
                CategoricalColumn.FromValues(c.Name, Enumerable.Range(0, t.Length).Select(i => i % (c.Name == "region" ? 23 : 31) == 5 ? null : t.FormatValue(i)).ToArray()),
            _ => c,
        }).ToArray();
        return new Dataset(data.Schema, columns);
    }

    /// <summary>A per-column model that predicts 1 for every row (a bad fix, to force repairs).</summary>
    private static byte[] AlwaysOne()
    {
        var g = new OnnxGraphBuilder("always_one");
        g.Input("age", OnnxElementType.Float, -1, 1);
        var shape = g.Constant([-1L], 1);
        var flat = g.Apply("Reshape", ["age", shape]);
        var notLess = g.Apply("Not", [g.Apply("Less", [flat, g.Constant([-1e9f], 1)])]);
        g.Node("Cast", [notLess], ["label"], "", OnnxAttribute.Int("to", 7));
        g.Output("label", OnnxElementType.Int64, -1);
        return g.ToModelBytes();
    }

    /// <summary>A per-column group model: 1 when tenure > 20 (rank-1 input, float output).</summary>
    private static byte[] LongTenureGroup()
    {
        var g = new OnnxGraphBuilder("long_tenure");
        g.Input("tenure", OnnxElementType.Float, -1);
        var greater = g.Apply("Greater", ["tenure", g.Constant([20f], 1)]);
        g.Node("Cast", [greater], ["in_group"], "", OnnxAttribute.Int("to", 1));
        g.Output("in_group", OnnxElementType.Float, -1);
        return g.ToModelBytes();
    }

    /// <summary>A per-column model whose prediction is 2 (outside the label's domain: NaN on the platform) when age > 80, else 0, as double.</summary>
    private static byte[] OutOfDomainAboveEighty()
    {
        var g = new OnnxGraphBuilder("out_of_domain");
        g.Input("age", OnnxElementType.Float, -1, 1);
        var over = g.Apply("Cast", [g.Apply("Greater", ["age", g.Constant([80f], 1)])], "", OnnxAttribute.Int("to", 1));
        var two = g.Apply("Mul", [over, g.Constant([2f], 1)]);
        g.Node("Cast", [two], ["label"], "", OnnxAttribute.Int("to", 11));
        g.Output("label", OnnxElementType.Double, -1, 1);
        return g.ToModelBytes();
    }

    internal static (PointerDecisionList List, Holdout Holdout, ModelCatalog Catalog, Dictionary<string, byte[]> Models) BuildList(int rows = 4_000, int seed = 3)
    {
        var data = DataWithMissing(rows, seed);
        var label = LabelDomain.Of(data);
        var holdout = Holdout.Create(data, 0.4, 7);
        var catalog = new ModelCatalog(data.Schema, label);
        var models = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string Add(byte[] bytes, ModelRole role = ModelRole.Predictor, Dataset? smoke = null)
        {
            var id = catalog.AddOnnx(bytes, role, smoke ?? data);
            models[id] = bytes;
            return id;
        }
        int[] Rows(string expression) => Scoring.Expressions.SubgroupExpression.Compile(expression, data).Evaluate(data).ToIndices();

        var baseId = Add(LogisticRegressionTrainer.Train(data, label).ToOnnx());
        var list = PointerDecisionList.Create(baseId, holdout, catalog);

        PointerDecisionList Update(GroupRef group, string fixId)
        {
            var members = catalog.Members(group, data);
            var predictions = catalog.Predictor(fixId).Predict(data, members.ToIndices());
            return list.ApplyUpdate(group, members, fixId, predictions, null, holdout, Metric.Error, Epsilon, 1f, catalog).List;
        }

        // Trees (float tensor, embedded coding) on the first planted group.
        var south = "region == \"South\" and age >= 60";
        list = Update(GroupRef.FromExpression(south), Add(GradientBoostedTreesTrainer.Train(data, label, Rows(south)).ToOnnx()));
        // Logistic regression on the per-column convention on the second.
        var young = "RAC1P == 2 and age < 30";
        list = Update(GroupRef.FromExpression(young),
            Add(LogisticRegressionTrainer.Train(data, label, Rows(young)).ToOnnx(new OnnxExportOptions(OnnxInputConvention.PerColumn))));
        // A bad fix over a wide group that overlaps both: repairs send the earlier groups back.
        list = Update(GroupRef.FromExpression("income >= 30 or education is missing"), Add(AlwaysOne()));
        // A group model with a fix, then text and missing-value conditions of every kind.
        list = Update(new GroupRef(null, Add(LongTenureGroup(), ModelRole.Group)), Add(GradientBoostedTreesTrainer.Train(data, label).ToOnnx()));
        list = Update(GroupRef.FromExpression("region not in (\"North\", \"East\") and (debt != 10 or income is missing) and education != \"College\""), Add(AlwaysOne()));
        list = Update(GroupRef.FromExpression("not (debt < 20) and region is not missing and sex in ('Female') and tenure <= 10 and income > 40"),
            Add(LogisticRegressionTrainer.Train(data, label, Rows("debt >= 20")).ToOnnx()));
        list = Update(GroupRef.FromExpression("region is missing or education == \"Graduate\" or income is missing"), Add(AlwaysOne()));
        // Unusable predictions (2 for the oldest rows) are NaN in both.
        list = Update(GroupRef.FromExpression("age >= 75 and education in (\"College\", \"HighSchool\")"), Add(OutOfDomainAboveEighty(), smoke: data.SelectRows(Rows("age <= 80"))));
        return (list, holdout, catalog, models);
    }

    /// <summary>Runs an ONNX file directly in ONNX Runtime on every row: the competition's per-column inputs.</summary>
    internal static float[] RunExported(byte[] onnx, Dataset data)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new List<OrtValue>();
        try
        {
            foreach (var spec in data.Schema.Features)
            {
                var column = data[spec.Name];
                long[] shape = [data.RowCount, 1];
                if (column is NumericColumn n)
                {
                    inputs.Add(OrtValue.CreateTensorValueFromMemory((float[])n.Values.Clone(), shape));
                }
                else
                {
                    var strings = Enumerable.Range(0, data.RowCount).Select(i => column.FormatValue(i) ?? "").ToArray();
                    inputs.Add(OrtValue.CreateFromStringTensor(new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(strings, [data.RowCount, 1])));
                }
            }
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, data.Schema.Features.Select(f => f.Name).ToArray(), inputs, [DecisionListCompiler.OutputName]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in inputs) v.Dispose();
        }
    }

    [Fact]
    public void Exported_EveryVersion_EqualsThePlatformsPredictions_OnEveryHoldoutRow()
    {
        var (list, holdout, catalog, models) = BuildList();
        using (catalog)
        {
            Assert.True(list.Nodes.OfType<RepairNode>().Count() >= 2, $"expected repairs, got {string.Join("; ", list.Nodes)}");
            Assert.True(holdout.Data["income"].MissingCount > 0 && holdout.Data["region"].MissingCount > 0);
            Assert.Contains(list.Current.HoldoutPredictions, float.IsNaN);
            var label = LabelDomain.Of(holdout.Data);
            var structure = DecisionListStructure.Of(list);
            for (var v = 0; v < list.Versions.Count; v++)
            {
                var onnx = DecisionListCompiler.Compile(structure, holdout.Data.Schema, label, models, version: v);
                var exported = RunExported(onnx, holdout.Data);
                var platform = list.Predict(holdout.Data, catalog, v);
                Assert.Equal(list.HoldoutPredictions(v), platform);
                var differences = Enumerable.Range(0, platform.Length).Count(i => !platform[i].Equals(exported[i]));
                Assert.True(differences == 0, $"version {v}: {differences} of {platform.Length} rows differ");
            }
        }
    }

    [Fact]
    public void Exported_IsAValidCompetitionModel_AndReadsThePublicListJson()
    {
        var (list, holdout, catalog, models) = BuildList(1_500, 5);
        using (catalog)
        {
            var label = LabelDomain.Of(holdout.Data);
            // The JSON of the model download: no holdout predictions, only nodes and version boundaries.
            var publicJson = System.Text.Json.JsonSerializer.Serialize(new
            {
                format = PointerDecisionList.FormatName,
                baseModelId = list.BaseModelId,
                nodes = list.Nodes,
                versions = list.Versions.Select(v => new { number = v.Number, nodeCount = v.NodeCount }),
            }, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
            var structure = DecisionListStructure.FromJson(publicJson);
            Assert.Equal(DecisionListStructure.Of(list).VersionNodeCounts, structure.VersionNodeCounts);
            Assert.Equal(list.Nodes, structure.Nodes);
            var onnx = DecisionListCompiler.Compile(structure, holdout.Data.Schema, label, models);
            // The platform itself accepts the export as a model on the per-column convention.
            using var model = OnnxModel.Load(onnx, holdout.Data.Schema, label, ModelRole.Predictor);
            // (The smoke run refuses NaN, which the export gives where a fix's prediction was unusable: rows over 80.)
            model.Validate(holdout.Data.SelectRows(Scoring.Expressions.SubgroupExpression.Compile("age <= 80", holdout.Data).Evaluate(holdout.Data).ToIndices()));
            Assert.Equal(OnnxInputConvention.PerColumn, model.Convention);
            Assert.Equal(list.Current.HoldoutPredictions, model.PredictAll(holdout.Data));
        }
    }

    [Fact]
    public void Compile_RefusesAMissingModel()
    {
        var data = DataWithMissing(100, 1);
        var structure = new DecisionListStructure("nope", [], [0]);
        var e = Assert.Throws<ScoringInputException>(() => DecisionListCompiler.Compile(structure, data.Schema, LabelDomain.Of(data), new Dictionary<string, byte[]>()));
        Assert.Contains("missing", e.Message);
    }
}
