using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Cli.Commands;

/// <summary>
/// <c>bbounty train-baseline</c>: trains a model on a data file and writes it as ONNX — the organizer's baseline, or
/// (with <c>--group</c>) a participant's fix trained on the group's rows only.
/// </summary>
public static class TrainBaselineCommand
{
    public const string Usage =
        "bbounty train-baseline --data FILE [--label COL] [--positive VALUE] --out model.onnx [--kind logistic|trees] [--inputs columns|tensor] [--group \"EXPR\"]";

    public static int Run(CommandLine args, TextWriter output)
    {
        var path = args.Required("data", "train.csv");
        var outPath = args.Required("out", "model.onnx");
        var kind = args.Optional("kind") ?? "logistic";
        var inputs = args.Optional("inputs") ?? "columns";
        var groupText = args.Optional("group");
        var data = DataFiles.Load(path, args.Optional("label"), args.Optional("positive"));
        args.RejectUnknown();
        OutputFiles.CheckWritable(outPath);
        if (kind is not ("logistic" or "trees")) throw new UsageException($"--kind must be logistic or trees, not '{kind}'");
        if (inputs is not ("columns" or "tensor")) throw new UsageException($"--inputs must be columns or tensor, not '{inputs}'");
        if (kind == "trees" && inputs == "columns") inputs = "tensor"; // tree ensembles take the float tensor

        var label = LabelDomain.Of(data);
        var rows = groupText is null
            ? Enumerable.Range(0, data.RowCount).ToArray()
            : SubgroupExpression.Compile(groupText, data).Evaluate(data).ToIndices();
        if (rows.Length < 20) throw new UsageException($"the group has {rows.Length} rows in {Path.GetFileName(path)}; at least 20 are needed to train on");

        ITrainedModel model = (kind, label.Task) switch
        {
            ("trees", _) => GradientBoostedTreesTrainer.Train(data, label, rows),
            (_, TaskKind.Regression) => LinearRegressionTrainer.Train(data, label, rows),
            _ => LogisticRegressionTrainer.Train(data, label, rows),
        };
        var convention = inputs == "columns" ? OnnxInputConvention.PerColumn : OnnxInputConvention.FloatTensor;
        var bytes = model switch
        {
            LogisticRegressionModel logistic => logistic.ToOnnx(new OnnxExportOptions(convention)),
            LinearRegressionModel linear => linear.ToOnnx(convention),
            _ => model.ToOnnx(),
        };
        File.WriteAllBytes(outPath, bytes);

        var predictions = model.Predict(data, rows);
        var y = label.Encode(data);
        double loss = 0;
        for (var i = 0; i < rows.Length; i++)
            loss += label.Task == TaskKind.Regression ? Math.Pow(predictions[i] - y[rows[i]], 2) : predictions[i] == y[rows[i]] ? 0 : 1;
        var what = label.Task == TaskKind.Regression ? "mean squared error" : "error";
        output.WriteLine($"trained {(kind == "trees" ? "gradient-boosted trees" : label.Task == TaskKind.Regression ? "linear regression" : "logistic regression")} " +
            $"on {rows.Length:N0} rows{(groupText is null ? "" : $" of group {SubgroupExpression.Parse(groupText).ToCanonicalString()}")}; " +
            $"training {what} {(label.Task == TaskKind.Regression ? (loss / rows.Length).ToString("G4") : $"{100 * loss / rows.Length:0.00} %")}");
        output.WriteLine($"wrote {outPath} ({bytes.Length:N0} bytes, inputs: {(convention == OnnxInputConvention.PerColumn ? "one per column" : "float tensor [N, F]")})");
        return 0;
    }
}
