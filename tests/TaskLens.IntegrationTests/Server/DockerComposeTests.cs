using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server;

namespace TaskLens.IntegrationTests.Server;

/// <summary>
/// docker-compose.yml read as an operator would run it (no Docker engine here): no service is published with a default
/// credential, and TaskLens's own environment passes start-up validation once the README's variables are set.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed partial class DockerComposeTests(ClickHouseFixture clickHouse)
{
    private static readonly string Compose = File.ReadAllText(Path.Combine(RepositoryRoot(), "docker-compose.yml"));

    [Fact]
    public void ClickHouseAndGrafana_AreNotPublished_WithDefaultCredentials()
    {
        var clickHouseService = Service("clickhouse");
        var grafana = Service("grafana");

        Assert.DoesNotContain("ports:", clickHouseService, StringComparison.Ordinal);
        Assert.Contains("CLICKHOUSE_PASSWORD: ${CLICKHOUSE_PASSWORD:?", clickHouseService, StringComparison.Ordinal);
        Assert.Contains("GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?", grafana, StringComparison.Ordinal);
        Assert.Contains("\"127.0.0.1:3000:3000\"", grafana, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskLensService_WithTheReadmesVariablesSet_PassesStartUpValidation()
    {
        var variables = new Dictionary<string, string> { ["TASKLENS_INGEST_KEY"] = "compose-test-ingest-key-0001", ["CLICKHOUSE_PASSWORD"] = "pw" };
        var args = EnvironmentLine().Matches(Service("tasklens"))
            .Select(m => (Key: m.Groups["key"].Value.Replace("__", ":", StringComparison.Ordinal), Value: Substitute(m.Groups["value"].Value.Trim().Trim('"'), variables)))
            .Where(kv => kv.Key.StartsWith("TaskLens:", StringComparison.Ordinal))
            .Select(kv => kv.Key == "TaskLens:ClickHouse:Url" ? $"--{kv.Key}={clickHouse.Url}" : $"--{kv.Key}={kv.Value}")
            .ToList();
        var ports = FreePorts.Take(3);
        args.AddRange([$"--TaskLens:Server:ApiPort={ports[0]}", $"--TaskLens:Server:OtlpGrpcPort={ports[1]}", $"--TaskLens:Server:OtlpHttpPort={ports[2]}"]);

        await using var app = Program.Create([.. args]);
        var ingest = app.Services.GetRequiredService<IOptions<IngestOptions>>().Value;

        Assert.Contains("--TaskLens:Server:ListenAddress=0.0.0.0", args);
        Assert.False(ingest.OpenMode);
        Assert.Equal("compose-test-ingest-key-0001", Assert.Single(ingest.ApiKeys).Key);
    }

    private static string Service(string name)
    {
        var start = Compose.IndexOf($"\n  {name}:\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no service {name}");
        var next = ServiceStart().Match(Compose, start + name.Length + 5);
        return Compose[start..(next.Success ? next.Index : Compose.Length)];
    }

    private static string Substitute(string value, Dictionary<string, string> variables) =>
        Variable().Replace(value, m => variables[m.Groups["name"].Value]);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docker-compose.yml")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("docker-compose.yml not found above the test binaries.");
    }

    [GeneratedRegex(@"^      (?<key>[A-Za-z0-9_]+): (?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();

    [GeneratedRegex(@"\n  [a-z-]+:\n|\nvolumes:")]
    private static partial Regex ServiceStart();

    [GeneratedRegex(@"\$\{(?<name>[A-Z_]+):\?[^}]*\}")]
    private static partial Regex Variable();
}
