using System.Reflection;
using System.Runtime.InteropServices;
using BiasBounty.Scoring.Data;
using P = BiasBounty.Scoring.Models.ModelHostProtocol;

namespace BiasBounty.Scoring.Models;

/// <summary>
/// The model host: a child process that runs untrusted ONNX models, one at a time, for its parent (<see cref="HostedOnnxModel"/>),
/// so that whatever the model does to memory or to native code happens to the child. The parent watches the child's
/// resident memory and kills it past the run's budget; the child asks the kernel's OOM killer to pick it first, dies
/// with its parent, and has its own ONNX Runtime arena, capped at the largest budget it runs under.
/// <para>
/// <c>bbounty</c> and the web binary call <see cref="RunIfRequested"/> first thing in <c>Main</c>: started with the
/// argument <see cref="Argument"/> they run this loop and nothing else, and otherwise they register themselves as the
/// program a model host is started from (<see cref="ModelHostLauncher"/>).
/// </para>
/// </summary>
public static class ModelHost
{
    /// <summary>The hidden first argument that turns a BiasBounty program into a model host.</summary>
    public const string Argument = "model-host";

    /// <summary>
    /// Runs the host loop when <paramref name="args"/> start with <see cref="Argument"/> and returns its exit code;
    /// otherwise records <paramref name="program"/> (the caller's entry assembly) as the program that hosts models and
    /// returns null.
    /// </summary>
    public static int? RunIfRequested(string[] args, Assembly program)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(program);
        if (args.Length > 0 && args[0] == Argument) return Run(Console.OpenStandardInput(), Console.OpenStandardOutput());
        ModelHostLauncher.Register(program);
        return null;
    }

    /// <summary>
    /// The loop: a <see cref="P.Load"/> loads a model (answered <see cref="P.Ready"/> or <see cref="P.Refused"/>), requests
    /// run it, an <see cref="P.Unload"/> drops it and gives its memory back so the parent can reuse this host for the next
    /// model (<see cref="ModelHostPool"/>). Exit code 0 when the parent closes the pipe.
    /// </summary>
    internal static int Run(Stream input, Stream output)
    {
        // Stdout is the protocol's: anything else written to the console goes to stderr, which the parent discards.
        Console.SetOut(Console.Error);
        PreferToBeKilled();
        OnnxModel? model = null;
        P.LoadSettings? settings = null;
        DatasetSchema? schema = null;
        IReadOnlyList<string>[] categories = [];
        var answer = new P.Writer();
        void Drop()
        {
            model?.Dispose();
            model = null;
            schema = null;
        }

        while (P.Read(input) is { } request)
        {
            answer.Reset();
            var body = new P.Reader(request.Payload);
            switch (request.Kind)
            {
                case P.Load:
                    Drop();
                    if (body.Int() != P.Version) return 3;
                    settings = P.LoadSettings.Read(body);
                    // Once the environment exists it refuses other values; the parent pools hosts by these two.
                    OnnxRuntimeEnvironment.Configure(settings.Threads, settings.ArenaBytes);
                    try
                    {
                        model = OnnxModel.Load(body.Bytes().ToArray(), settings.Schema, settings.Label, settings.Role, settings.Limits, settings.Coding);
                    }
                    catch (ScoringInputException e)
                    {
                        P.Write(output, P.Refused, answer.Text(e.Message).Payload);
                        break;
                    }
                    answer.Int(model.BatchRows).Byte((byte)model.Convention).Int(model.InputColumns.Count);
                    foreach (var column in model.InputColumns) answer.Text(column);
                    P.Write(output, P.Ready, answer.Payload);
                    break;
                case P.Unload:
                    Drop();
                    GiveMemoryBack();
                    P.Write(output, P.Passed, []);
                    break;
                case P.Columns when model is not null:
                    (schema, categories) = ReadColumns(body);
                    continue; // no answer: the next request carries the rows
                case P.Smoke when model is not null && schema is not null:
                    try
                    {
                        model.Validate(ReadRows(body, schema, categories));
                        P.Write(output, P.Passed, []);
                    }
                    catch (ModelValidationException e) when (e.InnerException is Microsoft.ML.OnnxRuntime.OnnxRuntimeException inner
                                                             && OnnxRuntimeEnvironment.IsOutOfMemory(inner))
                    {
                        // This process's arena is capped at the largest budget it runs under, so running out of it
                        // means the model went past the smoke test's budget.
                        P.Write(output, P.Refused, answer.Text(OnnxModel.SmokeOverBudgetMessage(settings!.Limits)).Payload);
                    }
                    catch (ScoringInputException e)
                    {
                        P.Write(output, P.Refused, answer.Text(e.Message).Payload);
                    }
                    break;
                case P.Predict when model is not null && schema is not null:
                    try
                    {
                        var predictions = model.PredictAll(ReadRows(body, schema, categories));
                        P.Write(output, P.Values, answer.Int(predictions.Length).Raw<float>(predictions).Payload);
                    }
                    catch (ScoringInputException e)
                    {
                        P.Write(output, P.Refused, answer.Text(e.Message).Payload);
                    }
                    break;
                default:
                    return 4;
            }
        }
        return 0;
    }

    /// <summary>
    /// After a model is dropped: collects the garbage and hands malloc's free pages back to the system (glibc's
    /// malloc_trim), so the next model's memory is counted from the floor a new host starts at (the arena already
    /// gives its unused regions back after every run).
    /// </summary>
    private static void GiveMemoryBack()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the parent's admission check sees the memory still held and retires the host.
        }
    }

    /// <summary>The feature columns a batch will hold: names, kinds and the category lists of text columns.</summary>
    private static (DatasetSchema, IReadOnlyList<string>[]) ReadColumns(P.Reader body)
    {
        var count = body.Count(100_000);
        var specs = new ColumnSpec[count];
        var categories = new IReadOnlyList<string>[count];
        for (var i = 0; i < count; i++)
        {
            var name = body.Text();
            var kind = (ColumnKind)body.Byte();
            specs[i] = new ColumnSpec(name, kind);
            if (kind == ColumnKind.Categorical)
            {
                var list = new string[body.Count(10_000_000)];
                for (var c = 0; c < list.Length; c++) list[c] = body.Text();
                categories[i] = list;
            }
            else categories[i] = [];
        }
        return (new DatasetSchema(specs), categories);
    }

    /// <summary>A batch's rows: a count, then per column its floats or its category codes (-1 = missing).</summary>
    private static Dataset ReadRows(P.Reader body, DatasetSchema schema, IReadOnlyList<string>[] categories)
    {
        var rows = body.Count(P.MaxPayloadBytes / 4);
        var columns = new Column[schema.Columns.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var spec = schema.Columns[i];
            if (spec.Kind == ColumnKind.Numeric)
            {
                columns[i] = NumericColumn.FromValues(spec.Name, body.Raw<float>(rows));
                continue;
            }
            var codes = body.Raw<int>(rows);
            var missing = new RowSet(rows);
            for (var r = 0; r < rows; r++)
            {
                if (codes[r] < 0) missing.Add(r);
                else if (codes[r] >= categories[i].Count) throw new InvalidDataException("a category code out of range");
            }
            columns[i] = new CategoricalColumn(spec.Name, codes, categories[i], missing);
        }
        return new Dataset(schema, columns);
    }

    /// <summary>
    /// Asks the kernel's OOM killer to choose this process before any other (oom_score_adj 1000, which any process may
    /// raise for itself), and ends the host when its parent is gone, even mid-run, so a host never outlives its parent.
    /// (Not PR_SET_PDEATHSIG: that fires when the parent's starting thread ends, and .NET starts processes from pool threads.)
    /// </summary>
    private static void PreferToBeKilled()
    {
        try
        {
            File.WriteAllText("/proc/self/oom_score_adj", "1000");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux: the parent's memory watch still applies.
        }
        if (!OperatingSystem.IsLinux()) return;
        var parent = GetParentProcessId();
        new Thread(() =>
        {
            while (GetParentProcessId() == parent) Thread.Sleep(250);
            Environment.Exit(5);
        }) { IsBackground = true, Name = "BiasBounty model host parent watch" }.Start();
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();
}
