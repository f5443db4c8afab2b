using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/BiasBounty.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
