using BiasBounty.Cli.Commands;
using BiasBounty.Scoring;

namespace BiasBounty.Cli;

/// <summary>Dispatches <c>bbounty</c> commands. Exit codes: 0 success, 1 internal failure, 2 bad input (one line, no stack trace).</summary>
public static class CliApp
{
    private static readonly IReadOnlySet<string> Flags = new HashSet<string> { "json", "help", "no-bias", "wait", "cer", "keep-case", "keep-punctuation", "explore", "fix-in-process" };

    public static readonly string Help = string.Join(Environment.NewLine,
        "bbounty — the BiasBounty scoring engine on files",
        "",
        "  " + InspectCommand.Usage,
        "  " + CheckGroupCommand.Usage,
        "  " + TrainBaselineCommand.Usage,
        "  " + ScoreCommand.Usage,
        "  " + BenchCommand.Usage,
        "  " + SynthCommand.Usage,
        "  " + SplitCommand.Usage,
        "  " + WerCommand.Usage,
        "  " + SubmitCommand.Usage,
        "  " + ExportCommand.Usage,
        "  " + ExploreCommand.Usage,
        "  " + SimulateCommand.Usage,
        "",
        "Data files are CSV/TSV (plain or .gz); a FILE.schema.json beside a file gives its column names, kinds and label.",
        "Exit codes: 0 success, 2 bad input; submit --wait: 3 refused or failed, 4 no verdict within --timeout. Documentation: docs/cli.md");

    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, SubmitEnvironment.Default);

    internal static int Run(string[] args, TextWriter output, TextWriter error, SubmitEnvironment submitEnvironment)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Help);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var command = new CommandLine(args.Skip(1), Flags);
            return args[0] switch
            {
                "inspect" => InspectCommand.Run(command, output),
                "check-group" => CheckGroupCommand.Run(command, output),
                "train-baseline" => TrainBaselineCommand.Run(command, output),
                "score" => ScoreCommand.Run(command, output),
                "bench" => BenchCommand.Run(command, output),
                "synth" => SynthCommand.Run(command, output),
                "split" => SplitCommand.Run(command, output),
                "wer" => WerCommand.Run(command, output),
                "submit" => SubmitCommand.Run(command, output, error, submitEnvironment),
                "export" => ExportCommand.Run(command, output),
                "explore" => ExploreCommand.Run(command, output),
                "simulate" => SimulateCommand.Run(command, output),
                _ => throw new UsageException($"unknown command '{args[0]}'; commands are inspect, check-group, train-baseline, score, bench, synth, split, wer, submit, export, explore, simulate"),
            };
        }
        catch (Exception e) when (e is UsageException or ScoringInputException)
        {
            error.WriteLine($"bbounty: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be read or written (permissions, a full disk, a vanished folder) is the user's to fix.
            error.WriteLine($"bbounty: {e.Message}");
            return 2;
        }
    }
}
