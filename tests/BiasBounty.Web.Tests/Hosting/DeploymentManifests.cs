using System.ComponentModel;
using System.Reflection;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace BiasBounty.Web.Tests.Hosting;

/// <summary>A configuration key a deployment file sets: where (file and place), as written, and as a configuration key.</summary>
public sealed record ManifestKey(string Source, string Name)
{
    /// <summary>An environment variable's <c>__</c> is the <c>:</c> of a configuration key (as the environment provider reads it).</summary>
    public string Key => Name.Replace("__", ":", StringComparison.Ordinal);

    public override string ToString() => $"{Name} ({Source})";
}

/// <summary>
/// Reads what the deployment files under deploy/ set: the compose file's <c>environment</c> maps, the Kubernetes
/// documents (ConfigMap data, container <c>env</c>), the Dockerfile's <c>ENV</c> lines and every health-check path.
/// </summary>
public static class DeploymentManifests
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ComposeFile => Path.Combine(RepositoryRoot, "deploy", "docker", "compose.yaml");

    public static string Dockerfile => Path.Combine(RepositoryRoot, "deploy", "docker", "Dockerfile");

    public static string KubernetesFolder => Path.Combine(RepositoryRoot, "deploy", "k8s");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BiasBounty.sln"))) return dir.FullName;
        throw new InvalidOperationException("BiasBounty.sln not found above " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<YamlMappingNode> ReadYamlDocuments(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    /// <summary>Every Kubernetes document under deploy/k8s, with its file name.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Document)> KubernetesDocuments() =>
        Directory.GetFiles(KubernetesFolder, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(path => ReadYamlDocuments(File.ReadAllText(path)).Select(d => (Path.GetFileName(path), d)))
            .ToList();

    public static string Kind(YamlMappingNode document) => Scalar(document, "kind") ?? "";

    public static string Name(YamlMappingNode document) => Scalar(Mapping(document, "metadata"), "name") ?? "";

    /// <summary>
    /// The keys of every <c>environment</c> map (or <c>KEY=value</c> list) of the platform's services in a compose file:
    /// all but those running another image (PostgreSQL's variables are PostgreSQL's).
    /// </summary>
    public static IEnumerable<ManifestKey> ComposeKeys(string composeYaml, string source = "compose.yaml") =>
        ReadYamlDocuments(composeYaml).SelectMany(PlatformParts).SelectMany(part => Descendants(part.Node, "environment", $"{source}: {part.Name}"))
            .SelectMany(found => found.Node switch
        {
            YamlMappingNode map => map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!)
                .Where(k => k != "<<") // a merge of another environment map, itself read where it is defined
                .Select(k => new ManifestKey(found.Path, k)),
            YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().Select(s => new ManifestKey(found.Path, s.Value!.Split('=')[0])),
            _ => [],
        });

    /// <summary>The top-level blocks of a compose file and its services, without the services that run another image.</summary>
    private static IEnumerable<(string Name, YamlNode Node)> PlatformParts(YamlMappingNode compose) =>
        compose.Children.SelectMany(top => top.Key.ToString() == "services" && top.Value is YamlMappingNode services
            ? services.Children.Where(s => Scalar(s.Value as YamlMappingNode, "image") is not { } image || image.StartsWith("biasbounty", StringComparison.Ordinal))
                .Select(s => ($"services: {s.Key}", s.Value))
            : [(top.Key.ToString(), top.Value)]);

    /// <summary>ConfigMap data keys (they become environment variables through <c>envFrom</c>) and containers' <c>env</c> names.</summary>
    public static IEnumerable<ManifestKey> KubernetesKeys(IEnumerable<(string File, YamlMappingNode Document)> documents) =>
        documents.SelectMany(entry => Kind(entry.Document) == "ConfigMap"
            ? (Mapping(entry.Document, "data")?.Children.Keys.OfType<YamlScalarNode>() ?? [])
                .Select(k => new ManifestKey($"{entry.File}: ConfigMap {Name(entry.Document)}", k.Value!))
            : Containers(entry.Document).SelectMany(c => Sequence(c, "env")?.Children.OfType<YamlMappingNode>() ?? [])
                .Select(e => new ManifestKey($"{entry.File}: {Kind(entry.Document)} {Name(entry.Document)}", Scalar(e, "name")!)));

    public static IEnumerable<YamlMappingNode> Containers(YamlMappingNode document) =>
        Sequence(Mapping(Mapping(Mapping(document, "spec"), "template"), "spec"), "containers")?.Children.OfType<YamlMappingNode>() ?? [];

    /// <summary>The names set by a Dockerfile's <c>ENV</c> instructions (<c>NAME=value</c> pairs, continued lines joined).</summary>
    public static IEnumerable<ManifestKey> DockerfileKeys(string dockerfile) =>
        Instructions(dockerfile).Where(i => i.StartsWith("ENV ", StringComparison.OrdinalIgnoreCase))
            .SelectMany(i => i[4..].Trim() is var pairs && !pairs.Split(' ', 2)[0].Contains('=')
                ? [pairs.Split(' ', 2)[0]] // the old form: ENV NAME value
                : Regex.Matches(pairs, @"(?<name>[A-Za-z_][A-Za-z0-9_.]*)=(""[^""]*""|\S*)").Select(m => m.Groups["name"].Value))
            .Select(name => new ManifestKey("Dockerfile ENV", name));

    /// <summary>A Dockerfile's instructions, comments dropped and continuation lines joined.</summary>
    public static IEnumerable<string> Instructions(string dockerfile)
    {
        var current = "";
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#')) continue;
            if (line.EndsWith('\\')) { current += line[..^1] + " "; continue; }
            current += line;
            if (current.Trim().Length > 0) yield return current.Trim();
            current = "";
        }
    }

    /// <summary>The HTTP paths the probes and health checks ask: Kubernetes httpGet probes, compose and Dockerfile health checks.</summary>
    public static IEnumerable<(string Source, string Path)> HealthPaths()
    {
        foreach (var (file, document) in KubernetesDocuments())
            foreach (var container in Containers(document))
                foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
                    if (Scalar(Mapping(Mapping(container, probe), "httpGet"), "path") is { } path)
                        yield return ($"{file}: {Name(document)} {probe}", path);
        foreach (var found in ReadYamlDocuments(File.ReadAllText(ComposeFile)).SelectMany(d => Descendants(d, "healthcheck", "compose.yaml")))
            if (Sequence((YamlMappingNode)found.Node, "test") is { } test && test.Children.OfType<YamlScalarNode>().Select(s => s.Value).ToList() is ["CMD", "healthcheck", var path])
                yield return (found.Path, path!);
        foreach (var instruction in Instructions(File.ReadAllText(Dockerfile)).Where(i => i.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)))
            yield return ("Dockerfile HEALTHCHECK", Regex.Match(instruction, @"""healthcheck"",\s*""(?<path>[^""]+)""").Groups["path"].Value);
    }

    public static YamlMappingNode? Mapping(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    public static YamlSequenceNode? Sequence(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlSequenceNode : null;

    public static string? Scalar(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    /// <summary>Every value under a key named <paramref name="key"/>, at any depth, with the path to it.</summary>
    private static IEnumerable<(string Path, YamlNode Node)> Descendants(YamlNode node, string key, string path) => node switch
    {
        YamlMappingNode map => map.Children.SelectMany(child => child.Key is YamlScalarNode { Value: { } name }
            ? (name == key ? [($"{path}: {name}", child.Value)] : Enumerable.Empty<(string, YamlNode)>())
                .Concat(name == "<<" ? [] : Descendants(child.Value, key, $"{path}: {name}"))
            : []),
        YamlSequenceNode list => list.Children.SelectMany((child, i) => Descendants(child, key, $"{path}[{i}]")),
        _ => [],
    };
}

/// <summary>
/// Whether a configuration key reaches the app: its section is one an options class of the app declares
/// (<c>public const string Section</c>) and the rest names a property configuration binding can set (case-insensitive,
/// as binding is), or it is one of a few framework keys.
/// </summary>
public sealed class ConfigurationKeyChecker
{
    /// <summary>Keys the framework reads rather than an options class of ours, each with the reason it is allowed.</summary>
    public static readonly IReadOnlyDictionary<string, string> FrameworkKeys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["ASPNETCORE_HTTP_PORTS"] = "Kestrel's listening ports; the .NET container images' convention (the host reads ASPNETCORE_-prefixed variables)",
        ["ASPNETCORE_URLS"] = "Kestrel's listening addresses, instead of ASPNETCORE_HTTP_PORTS",
        ["ASPNETCORE_ENVIRONMENT"] = "the hosting environment (Production unless set)",
    };

    /// <summary>Key prefixes the framework binds, each with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> FrameworkPrefixes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:"] = "Microsoft.Extensions.Logging's configuration (levels, console formatter)",
    };

    private readonly IReadOnlyDictionary<string, Type> _sections;

    public ConfigurationKeyChecker(Assembly app) =>
        _sections = DeclaredSections(app).ToDictionary(s => s.Section, s => s.Type, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, Type> Sections => _sections;

    /// <summary>Every type of <paramref name="app"/> with a <c>public const string Section</c>, and that section.</summary>
    public static IEnumerable<(string Section, Type Type)> DeclaredSections(Assembly app) =>
        from type in app.GetTypes()
        let field = type.GetField("Section", BindingFlags.Public | BindingFlags.Static)
        where field is { IsLiteral: true } && field.FieldType == typeof(string)
        select ((string)field.GetRawConstantValue()!, type);

    /// <summary>Null when the key reaches the app, else why not.</summary>
    public string? Problem(string key)
    {
        if (FrameworkKeys.ContainsKey(key) || FrameworkPrefixes.Keys.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            return null;
        var candidates = _sections.Where(s => key.StartsWith(s.Key + ":", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(s => s.Key.Length).ToList();
        if (candidates.Count == 0)
            return $"'{key}' is in no options section of the app ({string.Join(", ", _sections.Keys.Order())}) nor an allowed framework key";
        var problems = candidates.Select(s => (s.Key, Problem: PathProblem(s.Value, key[(s.Key.Length + 1)..].Split(':')))).ToList();
        return problems.Any(p => p.Problem is null) ? null
            : $"'{key}': " + string.Join("; ", problems.Select(p => $"in section {p.Key} ({_sections[p.Key].Name}), {p.Problem}"));
    }

    /// <summary>Null when binding can set the value at <paramref name="path"/> below an object of <paramref name="type"/>.</summary>
    private static string? PathProblem(Type type, ReadOnlySpan<string> path)
    {
        if (path.Length == 0)
            return IsScalar(type) ? null : $"{type.Name} is not a single value";
        if (ElementType(type) is { } element)
            return int.TryParse(path[0], out var index) && index >= 0 ? PathProblem(element, path[1..]) : $"'{path[0]}' is not an index of a list";
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
            return $"{type.Name} has no property '{path[0]}' (it has {string.Join(", ", type.GetProperties().Select(p => p.Name))})";
        if (path.Length == 1 && property.SetMethod is not { IsPublic: true })
            return $"{type.Name}.{property.Name} is read-only: binding never sets it";
        return PathProblem(property.PropertyType, path[1..]);
    }

    private static bool IsScalar(Type type) =>
        type == typeof(string) || TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type).CanConvertFrom(typeof(string));

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && type.IsGenericType && type.GetGenericArguments() is [var element]
            && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type) ? element
        : null;
}
