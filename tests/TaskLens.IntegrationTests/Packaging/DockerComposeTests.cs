using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskLens.AgentSim;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace TaskLens.IntegrationTests.Packaging;

/// <summary>
/// docker-compose.yml and the Dockerfile read as an operator would run them (no Docker engine here): Debian's
/// <c>docker-compose config</c> validates and resolves the file with every profile, the resolved YAML is parsed, no
/// service is published with a default credential, every mounted file exists, and TaskLens's own environment (the
/// image's plus compose's) passes start-up validation once the README's variables are set.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed partial class DockerComposeTests(ClickHouseFixture clickHouse)
{
    private static readonly Dictionary<string, string> ReadmeVariables = new()
    {
        ["TASKLENS_INGEST_KEY"] = "compose-test-ingest-key-0001",
        ["CLICKHOUSE_PASSWORD"] = "compose-test-clickhouse",
        ["GRAFANA_ADMIN_PASSWORD"] = "compose-test-grafana",
        ["POSTGRES_PASSWORD"] = "compose-test-postgres",
        ["TASKLENS_METRICS_TOKEN"] = "compose-test-metrics-token-01",
    };

    private static readonly Lazy<YamlMappingNode> Resolved = new(() =>
    {
        var (exit, output, error) = DockerCompose(ReadmeVariables, "--profile", "demo", "--profile", "cluster", "config");
        Assert.True(exit == 0, "docker-compose config refused the file: " + error);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    });

    [Fact]
    public void ComposeConfig_WithEveryProfile_ResolvesEveryService()
    {
        Assert.Equal(["agentsim", "clickhouse", "grafana", "otel-collector", "postgres", "prometheus", "tasklens"], Services().Select(s => s.Key).Order());
        Assert.Equal(["demo"], Strings(Service("agentsim"), "profiles"));
        Assert.Equal(["cluster"], Strings(Service("postgres"), "profiles"));
        Assert.All(new[] { "clickhouse", "tasklens", "otel-collector", "grafana", "prometheus" }, s => Assert.False(Service(s).Children.ContainsKey("profiles")));
    }

    [Fact]
    public void ComposeConfig_WithoutTheReadmesVariables_RefusesToStart()
    {
        var (exit, _, error) = DockerCompose(ReadmeVariables.ToDictionary(v => v.Key, _ => ""), "config");

        Assert.NotEqual(0, exit);
        Assert.Contains("set ", error, StringComparison.Ordinal);
        Assert.Contains("(see README, docker compose)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_PublishesNoDatabase_GrafanaOnLoopbackOnly_AndOtlpAtTheCollector()
    {
        Assert.False(Service("clickhouse").Children.ContainsKey("ports"));
        Assert.False(Service("postgres").Children.ContainsKey("ports"));
        Assert.Equal(["127.0.0.1:3000:3000/tcp"], Ports("grafana"));
        Assert.Equal(["127.0.0.1:9090:9090/tcp"], Ports("prometheus"));
        Assert.Equal(["4317:4317/tcp", "4318:4318/tcp"], Ports("otel-collector"));
        Assert.Equal(["8080:8080/tcp"], Ports("tasklens"));
        Assert.Equal("compose-test-clickhouse", Scalar(Service("clickhouse"), "environment", "CLICKHOUSE_PASSWORD"));
        Assert.Equal("compose-test-grafana", Scalar(Service("grafana"), "environment", "GF_SECURITY_ADMIN_PASSWORD"));
        Assert.Equal("compose-test-postgres", Scalar(Service("postgres"), "environment", "POSTGRES_PASSWORD"));
    }

    [Fact]
    public void Compose_EveryMountedFileAndBuildTarget_Exists()
    {
        var stages = DockerfileStages();
        Assert.Equal("server", Scalar(Service("tasklens"), "build", "target"));
        Assert.Equal("agentsim", Scalar(Service("agentsim"), "build", "target"));
        Assert.Contains("server", stages.Keys);
        Assert.Contains("agentsim", stages.Keys);

        var binds = Services().SelectMany(s => Volumes(s.Value)).Where(v => v.Source.StartsWith('/')).ToList();
        Assert.NotEmpty(binds);
        Assert.All(binds, b => Assert.True(File.Exists(b.Source) || Directory.Exists(b.Source), b.Source + " is missing"));
        Assert.Contains((RepositoryFiles.Path("dashboards"), "/var/lib/grafana/dashboards"), Volumes(Service("grafana")));

        var provider = LoadYaml(RepositoryFiles.Path("dashboards", "provisioning", "dashboards", "tasklens.yaml"));
        Assert.Equal("/var/lib/grafana/dashboards", Scalar((YamlMappingNode)((YamlSequenceNode)provider["providers"])[0], "options", "path"));
        var datasource = (YamlMappingNode)((YamlSequenceNode)LoadYaml(RepositoryFiles.Path("dashboards", "provisioning", "datasources", "clickhouse.yaml"))["datasources"])[0];
        Assert.Equal("grafana-clickhouse-datasource", Scalar(datasource, "type"));
        Assert.Equal("clickhouse", Scalar(datasource, "jsonData", "host"));
        Assert.Equal("$CLICKHOUSE_PASSWORD", Scalar(datasource, "secureJsonData", "password"));
    }

    /// <summary>Prometheus scrapes with the token TaskLens checks, from the file its config names (PrometheusScrapeTests runs that config).</summary>
    [Fact]
    public void Compose_Prometheus_ScrapesWithTheMetricsTokenTaskLensChecks()
    {
        Assert.Equal("compose-test-metrics-token-01", Scalar(Service("tasklens"), "environment", "TaskLens__Server__MetricsToken"));
        Assert.Equal("compose-test-metrics-token-01", Scalar(Service("prometheus"), "environment", "TASKLENS_METRICS_TOKEN"));
        var command = Assert.Single(Strings(Service("prometheus"), "command"));
        Assert.Contains("> /prometheus/tasklens-metrics-token", command, StringComparison.Ordinal);
        Assert.Contains("--config.file=/etc/prometheus/tasklens.yml", command, StringComparison.Ordinal);
        Assert.Contains((RepositoryFiles.Path("collectors", "prometheus-tasklens.yml"), "/etc/prometheus/tasklens.yml"), Volumes(Service("prometheus")));
        var datasource = (YamlMappingNode)((YamlSequenceNode)LoadYaml(RepositoryFiles.Path("dashboards", "provisioning", "datasources", "prometheus.yaml"))["datasources"])[0];
        Assert.Equal("http://prometheus:9090", Scalar(datasource, "url"));
    }

    [Fact]
    public void Dockerfile_BuildsOnTheSdk_AndRunsOnTheAspNetRuntimeAsNonRoot()
    {
        var stages = DockerfileStages();

        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages["build"].Image, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages["server"].Image, StringComparison.Ordinal);
        Assert.Equal("server", stages.Keys.Last());
        Assert.Equal("USER $APP_UID", stages["server"].Lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.Equal("USER $APP_UID", stages["agentsim"].Lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.DoesNotContain(stages["server"].Lines, l => l.StartsWith("FROM", StringComparison.Ordinal) && l.Contains("sdk", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_AgentSimCommand_IsOneAgentSimAccepts_SendingToTheCollector()
    {
        var options = SimOptions.Parse([.. Strings(Service("agentsim"), "command")]);

        Assert.NotNull(options);
        Assert.Equal("otel-collector", options.Endpoint.Host);
    }

    [Fact]
    public async Task TaskLensService_WithTheReadmesVariablesSet_PassesStartUpValidation()
    {
        var environment = DockerfileStages()["server"].Environment
            .Concat(((YamlMappingNode)Service("tasklens")["environment"]).Select(e => (((YamlScalarNode)e.Key).Value!, ((YamlScalarNode)e.Value).Value!)))
            .Select(e => (Key: e.Item1.Replace("__", ":", StringComparison.Ordinal), Value: e.Item2))
            .Where(e => e.Key.StartsWith("TaskLens:", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("0.0.0.0", environment["TaskLens:Server:ListenAddress"]);
        Assert.Equal("http://clickhouse:8123", environment["TaskLens:ClickHouse:Url"]);
        var local = Path.Combine(Path.GetTempPath(), "tasklens-compose-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = FreePorts.Take(3);
        environment["TaskLens:ClickHouse:Url"] = clickHouse.Url;
        environment["TaskLens:Spool:Path"] = Path.Combine(local, "spool");
        environment["TaskLens:State:Path"] = Path.Combine(local, "state.db");
        environment["TaskLens:Server:ApiPort"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["TaskLens:Server:OtlpGrpcPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["TaskLens:Server:OtlpHttpPort"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var app = TaskLens.Server.Program.Create([.. environment.Select(e => $"--{e.Key}={e.Value}")]);
        var ingest = app.Services.GetRequiredService<IOptions<IngestOptions>>().Value;

        Assert.False(ingest.OpenMode);
        Assert.Equal("compose-test-ingest-key-0001", Assert.Single(ingest.ApiKeys).Key);
    }

    private static (int Exit, string Output, string Error) DockerCompose(Dictionary<string, string> variables, params string[] args)
    {
        var start = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryFiles.Root };
        foreach (var arg in new[] { "-f", RepositoryFiles.Path("docker-compose.yml") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose did not start (./build.sh test installs it).");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "docker-compose config took over a minute");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static IEnumerable<KeyValuePair<string, YamlMappingNode>> Services() =>
        ((YamlMappingNode)Resolved.Value["services"]).Select(s => KeyValuePair.Create(((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value));

    private static YamlMappingNode Service(string name) => (YamlMappingNode)((YamlMappingNode)Resolved.Value["services"])[name];

    /// <summary>Resolved ports as host_ip:published:target/protocol (docker-compose 1.29 prints short or long form).</summary>
    private static List<string> Ports(string service) =>
        ((YamlSequenceNode)Service(service)["ports"]).Select(p => p is YamlMappingNode m
                ? (m.Children.ContainsKey("host_ip") ? Scalar(m, "host_ip") + ":" : "") + $"{Scalar(m, "published")}:{Scalar(m, "target")}/"
                    + (m.Children.ContainsKey("protocol") ? Scalar(m, "protocol") : "tcp")
                : ((YamlScalarNode)p).Value!.Contains('/', StringComparison.Ordinal) ? ((YamlScalarNode)p).Value! : ((YamlScalarNode)p).Value + "/tcp")
            .ToList();

    /// <summary>A service's volumes as (source, target); a bind mount's source is an absolute path once resolved.</summary>
    private static List<(string Source, string Target)> Volumes(YamlMappingNode service) =>
        service.Children.TryGetValue("volumes", out var volumes)
            ? ((YamlSequenceNode)volumes).Select(v => v is YamlMappingNode m
                ? (Scalar(m, "source"), Scalar(m, "target"))
                : (((YamlScalarNode)v).Value!.Split(':')[0], ((YamlScalarNode)v).Value!.Split(':')[1])).ToList()
            : [];

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return ((YamlScalarNode)current).Value!;
    }

    private static List<string> Strings(YamlMappingNode node, string key) =>
        ((YamlSequenceNode)node[key]).Cast<YamlScalarNode>().Select(s => s.Value!).ToList();

    private static YamlMappingNode LoadYaml(string path)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>The Dockerfile's stages in order: each one's base image, instructions (continuations joined) and ENV pairs.</summary>
    private static Dictionary<string, DockerfileStage> DockerfileStages()
    {
        var text = File.ReadAllText(RepositoryFiles.Path("Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var stages = new Dictionary<string, DockerfileStage>(StringComparer.Ordinal);
        DockerfileStage? current = null;
        foreach (var line in text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var from = FromLine().Match(line);
            if (from.Success)
            {
                current = new DockerfileStage(from.Groups["image"].Value);
                stages.Add(from.Groups["name"].Value, current);
            }

            Assert.NotNull(current);
            current.Lines.Add(line);
            if (line.StartsWith("ENV ", StringComparison.Ordinal))
            {
                current.Environment.AddRange(EnvPair().Matches(line).Select(m => (m.Groups["key"].Value, m.Groups["value"].Value)));
            }
        }

        return stages;
    }

    [GeneratedRegex(@"^FROM (?<image>\S+) AS (?<name>\S+)$")]
    private static partial Regex FromLine();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>\S+)")]
    private static partial Regex EnvPair();

    private sealed record DockerfileStage(string Image)
    {
        public List<string> Lines { get; } = [];
        public List<(string Key, string Value)> Environment { get; } = [];
    }
}
