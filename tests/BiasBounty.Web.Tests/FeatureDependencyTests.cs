using Mono.Cecil;
using Mono.Cecil.Cil;

namespace BiasBounty.Web.Tests;

/// <summary>
/// Keeps the web project's feature folders layered: each feature may use only the features below it, so the
/// dependency direction reads Competitions ← Submissions ← Worker/Review/Leaderboard/Rewards and no cycle can creep
/// back. Read from the compiled assembly (signatures and method bodies, Razor components included), not from
/// <c>using</c> lines, which miss same-namespace and fully qualified references.
/// </summary>
public sealed class FeatureDependencyTests
{
    /// <summary>Bottom to top. A new feature folder must be placed here before it builds green.</summary>
    public static readonly string[] Layers =
    [
        "Hosting",        // options, roles, clock, start-up steps, recurring jobs: what every feature uses
        "Persistence",    // the DbContext every feature shares (its DbSet list is the one exemption below)
        "Accounts",
        "Audit",          // the audit trail every feature appends to
        "Competitions",
        "Teams",
        "Notifications",
        "Submissions",    // submissions, their scores, points, award adjustments and triage state
        "Worker",         // the scoring job, its runtime cache and queue, the stalled-submission sweep
        "OrganizerShell", // the frame, navigation and access rule of every organizer page
        "Rewards",
        "Review",
        "Leaderboard",
        "ServiceCards",   // the model's service card (reads the leaderboard's released facts; produced at the close through Rewards' ICloseFollowUp)
        "Organize",
        "Deployers",      // deployers' private data, replays of the model on it and their reports
        "Participants",
        "Api",
        "Demo",
        "Components",     // the app shell: layout, home page, account pages, the request pipeline
    ];

    private const string Root = "BiasBounty.Web.";

    [Fact]
    public void Features_DependOnlyOnLowerLayers()
    {
        var graph = FeatureGraph.Of(typeof(Program).Assembly.Location);
        var rank = Layers.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);

        var unplaced = graph.Features.Where(f => !rank.ContainsKey(f)).ToArray();
        Assert.True(unplaced.Length == 0, $"feature folders without a layer in {nameof(Layers)}: {string.Join(", ", unplaced)}");

        var upward = graph.Edges.Where(e => rank[e.Key.From] < rank[e.Key.To])
            .Select(e => $"{e.Key.From} → {e.Key.To}: {string.Join("; ", e.Value.Take(3))}").ToArray();
        Assert.True(upward.Length == 0, "features that use a feature above them:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void FeatureGraph_SeesReferencesInMethodBodiesAndComponents()
    {
        // The rule above is only as good as what the reader sees: a body-only reference (the scoring job writing audit
        // events) and a Razor component's reference (a review page inheriting the organizer shell's base page).
        var graph = FeatureGraph.Of(typeof(Program).Assembly.Location);
        Assert.Contains(("Worker", "Audit"), graph.Edges.Keys);
        Assert.Contains(("Review", "OrganizerShell"), graph.Edges.Keys);
        Assert.Contains(("Submissions", "Teams"), graph.Edges.Keys);
    }

    private sealed class FeatureGraph
    {
        public HashSet<string> Features { get; } = [];

        public Dictionary<(string From, string To), List<string>> Edges { get; } = [];

        public static FeatureGraph Of(string assemblyPath)
        {
            var graph = new FeatureGraph();
            using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
            var dbContext = assembly.MainModule.GetType(Root + "Persistence.ApplicationDbContext");
            // The DbContext lists every feature's tables as DbSet properties: that is its job, and the only exemption.
            var tables = dbContext.Properties.Select(p => ((GenericInstanceType)p.PropertyType).GenericArguments[0].FullName)
                .Where(name => name.StartsWith(Root, StringComparison.Ordinal)).ToHashSet();
            foreach (var type in assembly.MainModule.GetTypes())
            {
                if (FeatureOf(type) is not { } from) continue;
                graph.Features.Add(from);
                var exempt = Outermost(type) == dbContext ? tables : [];
                foreach (var used in References(type))
                    graph.Add(from, type.FullName, used, exempt);
            }
            return graph;
        }

        private void Add(string from, string user, TypeReference? used, HashSet<string> exempt)
        {
            switch (used)
            {
                case null: return;
                case GenericInstanceType generic:
                    foreach (var argument in generic.GenericArguments) Add(from, user, argument, exempt);
                    Add(from, user, generic.ElementType, exempt);
                    return;
                case TypeSpecification spec: // arrays, by-ref, pointers, modifiers
                    Add(from, user, spec.ElementType, exempt);
                    return;
            }
            if (FeatureOf(used) is not { } to || to == from || exempt.Contains(used.FullName)) return;
            if (!Edges.TryGetValue((from, to), out var why)) Edges[(from, to)] = why = [];
            if (why.Count < 10) why.Add($"{user} uses {used.FullName}");
        }

        private static IEnumerable<TypeReference?> References(TypeDefinition type)
        {
            yield return type.BaseType;
            foreach (var i in type.Interfaces) yield return i.InterfaceType;
            foreach (var a in type.CustomAttributes) yield return a.AttributeType;
            foreach (var f in type.Fields) yield return f.FieldType;
            foreach (var p in type.Properties) yield return p.PropertyType;
            foreach (var m in type.Methods)
            {
                yield return m.ReturnType;
                foreach (var p in m.Parameters) yield return p.ParameterType;
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) yield return v.VariableType;
                foreach (var instruction in m.Body.Instructions)
                    switch (instruction.Operand)
                    {
                        case TypeReference t: yield return t; break;
                        case MethodReference method:
                            yield return method.DeclaringType;
                            yield return method.ReturnType;
                            if (method is GenericInstanceMethod g)
                                foreach (var argument in g.GenericArguments) yield return argument;
                            break;
                        case FieldReference field:
                            yield return field.DeclaringType;
                            yield return field.FieldType;
                            break;
                    }
            }
        }

        private static TypeReference Outermost(TypeReference type)
        {
            while (type.DeclaringType is not null) type = type.DeclaringType;
            return type;
        }

        /// <summary>The feature folder of a type of the web project (first namespace segment below the root), else null.</summary>
        private static string? FeatureOf(TypeReference type)
        {
            var ns = Outermost(type).Namespace;
            if (!ns.StartsWith(Root, StringComparison.Ordinal)) return null;
            var rest = ns[Root.Length..];
            var dot = rest.IndexOf('.');
            return dot < 0 ? rest : rest[..dot];
        }
    }
}
