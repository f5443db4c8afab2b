using BiasBounty.Scoring.Expressions;

namespace BiasBounty.Cli.Commands;

/// <summary><c>bbounty check-group --data FILE "EXPR"</c>: validates an expression and reports the group's size.</summary>
public static class CheckGroupCommand
{
    public const string Usage = "bbounty check-group --data FILE \"EXPR\"";

    public static int Run(CommandLine args, TextWriter output)
    {
        var path = args.Required("data", "train.csv");
        var expression = args.Positionals.Count == 1 ? args.Positionals[0] : throw new UsageException($"usage: {Usage}");
        args.RejectUnknown();
        var data = DataFiles.Load(path);
        var group = SubgroupExpression.Compile(expression, data);
        var rows = group.Evaluate(data).Count();
        output.WriteLine($"ok: {group.Canonical}");
        output.WriteLine($"group: {rows:N0} of {data.RowCount:N0} rows ({100.0 * rows / data.RowCount:0.00} %)");
        output.WriteLine($"columns used: {string.Join(", ", group.Columns)}");
        return 0;
    }
}
