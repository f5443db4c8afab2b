using BiasBounty.Web.Hosting;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Mono.Cecil;
using Mono.Cecil.Cil;
using static BiasBounty.Web.Tests.Hosting.DeploymentManifests;

namespace BiasBounty.Web.Tests.Hosting;

/// <summary>
/// The deployment files (deploy/docker, deploy/k8s) set only configuration the app reads: a misspelt key would
/// otherwise be ignored in silence and the platform would run on its default. No Docker engine or cluster is needed.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly ConfigurationKeyChecker Checker = new(typeof(Program).Assembly);

    public static IEnumerable<ManifestKey> AllKeys() =>
        ComposeKeys(File.ReadAllText(ComposeFile))
            .Concat(KubernetesKeys(KubernetesDocuments()))
            .Concat(DockerfileKeys(File.ReadAllText(Dockerfile)));

    [Fact]
    public void EveryKeyTheDeploymentFilesSet_IsBoundByAnOptionsClassOrIsAFrameworkKey()
    {
        var keys = AllKeys().ToList();
        // The readers found something in each file (an empty list would pass the check below).
        Assert.Contains(keys, k => k.Source.StartsWith("compose.yaml", StringComparison.Ordinal) && k.Key == "BiasBounty:Role");
        Assert.Contains(keys, k => k.Source.Contains("ConfigMap", StringComparison.Ordinal) && k.Key == "BiasBounty:PublicUrl");
        Assert.Contains(keys, k => k.Source.Contains("Deployment biasbounty-worker", StringComparison.Ordinal) && k.Key == "ConnectionStrings:BiasBounty");
        Assert.Contains(keys, k => k.Source == "Dockerfile ENV" && k.Key == "BiasBounty:Demo:DataDirectory");

        var problems = keys.Select(k => (k, Problem: Checker.Problem(k.Key))).Where(p => p.Problem is not null)
            .Select(p => $"{p.k.Source}: {p.Problem}").ToList();
        Assert.True(problems.Count == 0, "keys the app would ignore:\n" + string.Join("\n", problems));
    }

    [Theory]
    [InlineData("BiasBounty__Worker__WorkerCont")]     // a misspelt property
    [InlineData("BiasBounty__Wroker__WorkerCount")]    // a misspelt section
    [InlineData("BiasBunty__Role")]                    // a misspelt root
    [InlineData("BiasBounty__Proxy__Enabled")]         // read-only: computed from the lists
    [InlineData("BiasBounty__Proxy__KnownNetworks__first")] // a list takes indexes
    [InlineData("BiasBounty__Proxy__KnownNetworks")]   // a list, not one value
    [InlineData("ASPNETCORE_URL")]                     // not the framework's key
    public void Checker_RefusesAKeyTheAppWouldIgnore(string environmentVariable) =>
        Assert.Contains(environmentVariable.Replace("__", ":"), Checker.Problem(new ManifestKey("test", environmentVariable).Key));

    [Theory]
    [InlineData("biasbounty__worker__workercount")]    // binding ignores case
    [InlineData("BiasBounty__Proxy__KnownNetworks__0")]
    [InlineData("BiasBounty__Role")]
    [InlineData("ConnectionStrings__BiasBounty")]
    [InlineData("Logging__LogLevel__Default")]
    public void Checker_AcceptsAKeyTheAppReads(string environmentVariable) =>
        Assert.Null(Checker.Problem(new ManifestKey("test", environmentVariable).Key));

    [Fact]
    public void Checker_RefusesAMisspeltKey_ReadFromAComposeFile()
    {
        // The same path as the real files: a compose file read by the same reader, checked by the same checker.
        var compose = File.ReadAllText(ComposeFile).Replace("BiasBounty__Role: Worker", "BiasBounty__Roel: Worker", StringComparison.Ordinal);
        var bad = ComposeKeys(compose).Where(k => Checker.Problem(k.Key) is not null).ToList();
        Assert.Equal("BiasBounty:Roel", Assert.Single(bad).Key);
    }

    [Fact]
    public void EveryDeclaredOptionsSection_IsRegisteredWithAddValidatedOptions()
    {
        // The checker accepts any section an options class declares; the app reads only those registered at start-up.
        var registered = ValidatedOptionsRegistrations(typeof(Program).Assembly.Location);
        var unregistered = ConfigurationKeyChecker.DeclaredSections(typeof(Program).Assembly)
            .Where(s => !registered.Contains((s.Type.FullName!, s.Section))).Select(s => $"{s.Type.Name} ({s.Section})").ToList();
        Assert.True(unregistered.Count == 0,
            "options classes that declare a Section no AddValidatedOptions<T>(T.Section) registers (their keys are ignored): " + string.Join(", ", unregistered));
    }

    [Fact]
    public void KubernetesManifests_AreTheExpectedKinds_AndReferToEachOther()
    {
        var documents = KubernetesDocuments();
        Assert.Equal(["ConfigMap", "Deployment", "Deployment", "HorizontalPodAutoscaler", "Kustomization", "Service"],
            documents.Select(d => Kind(d.Document)).Order(StringComparer.Ordinal));

        var kustomization = documents.Single(d => Kind(d.Document) == "Kustomization").Document;
        var listed = Sequence(kustomization, "resources")!.Children.Select(c => c.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(documents.Where(d => Kind(d.Document) != "Kustomization").Select(d => d.File).Distinct().Order(StringComparer.Ordinal), listed);

        var deployments = documents.Where(d => Kind(d.Document) == "Deployment").ToDictionary(d => Name(d.Document), d => d.Document);
        Assert.Equal("Web", RoleOf(deployments["biasbounty-web"]));
        Assert.Equal("Worker", RoleOf(deployments["biasbounty-worker"]));
        var configMaps = documents.Where(d => Kind(d.Document) == "ConfigMap").Select(d => Name(d.Document)).ToList();
        foreach (var container in deployments.Values.SelectMany(Containers))
            foreach (var source in Sequence(container, "envFrom")!.Children.OfType<YamlDotNet.RepresentationModel.YamlMappingNode>())
                Assert.Contains(Scalar(Mapping(source, "configMapRef"), "name"), configMaps);

        var hpa = documents.Single(d => Kind(d.Document) == "HorizontalPodAutoscaler").Document;
        Assert.Equal("biasbounty-worker", Scalar(Mapping(Mapping(hpa, "spec"), "scaleTargetRef"), "name"));
        Assert.Null(Scalar(Mapping(deployments["biasbounty-worker"], "spec"), "replicas")); // the autoscaler owns it
        var metric = Mapping(Mapping(Sequence(Mapping(hpa, "spec"), "metrics")!.Children.OfType<YamlDotNet.RepresentationModel.YamlMappingNode>().Single(), "external"), "metric");
        Assert.Equal("biasbounty_queue_depth", Scalar(metric, "name"));

        var service = documents.Single(d => Kind(d.Document) == "Service").Document;
        var podLabels = Mapping(Mapping(Mapping(Mapping(deployments["biasbounty-web"], "spec"), "template"), "metadata"), "labels")!;
        foreach (var (key, value) in Mapping(Mapping(service, "spec"), "selector")!.Children)
            Assert.Equal(value, podLabels.Children[key]);
    }

    [Fact]
    public void ComposeFile_RunsPostgres15_AWebAndScalableWorkers_WithoutAPasswordInIt()
    {
        var compose = ReadYamlDocuments(File.ReadAllText(ComposeFile)).Single();
        var services = Mapping(compose, "services")!;
        Assert.Equal("postgres:15", Scalar(Mapping(services, "postgres"), "image"));
        Assert.Equal("Web", Scalar(Mapping(Mapping(services, "web"), "environment"), "BiasBounty__Role"));
        Assert.Equal("Worker", Scalar(Mapping(Mapping(services, "worker"), "environment"), "BiasBounty__Role"));
        Assert.NotNull(Scalar(Mapping(Mapping(services, "worker"), "deploy"), "replicas"));
        var connection = Scalar(Mapping(Mapping(compose, "x-platform"), "environment"), "ConnectionStrings__BiasBounty")!;
        Assert.Contains("Password=${POSTGRES_PASSWORD:?", connection); // from .env, never written here
    }

    [Fact]
    public void ProbesAskForLiveAndReady_AndPrometheusScrapesTheTelemetryPath()
    {
        var paths = HealthPaths().ToList();
        Assert.All(paths, p => Assert.Contains(p.Path, ProbePathTests.Paths));
        Assert.Contains(paths, p => p.Path == "/healthz/live" && p.Source.Contains("livenessProbe", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.Path == "/healthz/ready" && p.Source.Contains("readinessProbe", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.Source == "Dockerfile HEALTHCHECK" && p.Path == "/healthz/live");

        // Scrape annotations name the path the app serves: the ConfigMap's PrometheusPath, else the option's default.
        var configured = KubernetesDocuments().Where(d => Kind(d.Document) == "ConfigMap")
            .Select(d => Scalar(Mapping(d.Document, "data"), "BiasBounty__Telemetry__PrometheusPath")).SingleOrDefault(p => p is not null);
        var served = configured ?? new TelemetryOptions().PrometheusPath;
        var annotated = KubernetesDocuments().Where(d => Kind(d.Document) == "Deployment")
            .Select(d => Scalar(Mapping(Mapping(Mapping(Mapping(d.Document, "spec"), "template"), "metadata"), "annotations"), "prometheus.io/path")).ToList();
        Assert.Equal(2, annotated.Count);
        Assert.All(annotated, path => Assert.Equal(served, path));
    }

    private static string? RoleOf(YamlDotNet.RepresentationModel.YamlMappingNode deployment) =>
        Containers(deployment).SelectMany(c => Sequence(c, "env")!.Children.OfType<YamlDotNet.RepresentationModel.YamlMappingNode>())
            .Where(e => Scalar(e, "name") == "BiasBounty__Role").Select(e => Scalar(e, "value")).Single();

    /// <summary>(options type, section) of every <c>AddValidatedOptions&lt;T&gt;("section")</c> call in the assembly's code.</summary>
    private static HashSet<(string Type, string Section)> ValidatedOptionsRegistrations(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var calls = from type in module.GetTypes()
            from method in type.Methods.Where(m => m.HasBody)
            from instruction in method.Body.Instructions
            where instruction.OpCode == OpCodes.Call && instruction.Operand is GenericInstanceMethod
            {
                Name: nameof(PlatformRoleExtensions.AddValidatedOptions),
                ElementMethod.DeclaringType.FullName: "BiasBounty.Web.Hosting.PlatformRoleExtensions",
            }
            // The section is the call's last argument: a constant is loaded just before the call.
            select (((GenericInstanceMethod)instruction.Operand).GenericArguments[0].FullName, instruction.Previous.Operand as string ?? "");
        return calls.ToHashSet();
    }
}

/// <summary>The health paths the probes use are endpoints of the running platform (every role maps them).</summary>
public sealed class ProbePathTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    public static readonly string[] Paths = ["/healthz/live", "/healthz/ready"];

    [Fact]
    public void ProbePaths_AreMappedEndpoints()
    {
        var mapped = platform.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(Paths, path => Assert.Contains(path, mapped));
    }
}
