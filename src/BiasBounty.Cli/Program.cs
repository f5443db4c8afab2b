using BiasBounty.Cli;
using BiasBounty.Scoring.Models;

// First: started as a model host (a participant's model run apart from this process), do only that.
if (ModelHost.RunIfRequested(args, typeof(CliApp).Assembly) is { } hostExit) return hostExit;

return CliApp.Run(args, Console.Out, Console.Error);
