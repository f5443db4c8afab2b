namespace BiasBounty.Cli.Commands;

/// <summary><c>bbounty explore</c>: searches the data for groups on which the model underperforms.</summary>
public static class ExploreCommand
{
    public const string Usage = "bbounty explore --data FILE [--label COL] [--positive VALUE] --model MODEL.onnx [--max-conditions 3] [--seed N] [--json]";

    public static int Run(CommandLine args, TextWriter output) => throw new UsageException("explore is not available yet");
}
