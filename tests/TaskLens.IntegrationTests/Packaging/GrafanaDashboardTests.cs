using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.AgentSim;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;
using TaskLens.Storage.ClickHouse;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.Packaging;

/// <summary>
/// Every panel and variable query of the Grafana dashboards in <c>dashboards/</c>, run against TaskLens's real schema
/// on the real ClickHouse after TaskLens stored goal runs (AgentSim over OTLP), logs, metric points, an alert folded
/// into an acknowledged incident and a finding: each query runs, and each returns rows, with Grafana's macros expanded
/// as the ClickHouse data source expands them.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed partial class GrafanaDashboardTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task EveryPanelQuery_OverStoredTelemetryAlertsAndIncidents_RunsAndReturnsRows()
    {
        var queries = DashboardQueries().ToList();
        Assert.True(queries.Count >= 20, $"only {queries.Count} queries found in dashboards/");
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>(Settings)
        {
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
            ["TaskLens:Detection:Enabled"] = "false",
        });
        await StoreEverySignalAsync(host);
        using var client = clickHouse.CreateClient(host.Database);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        var empty = queries;
        while (true)
        {
            var stillEmpty = new List<PanelQuery>();
            foreach (var query in empty)
            {
                var rows = await RunAsync(client, query, host.Database);
                if (rows == 0)
                {
                    stillEmpty.Add(query);
                }
            }

            empty = stillEmpty;
            if (empty.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.True(empty.Count == 0, "queries without rows: " + string.Join("; ", empty.Select(q => $"{q.Dashboard} / {q.Title}")));
    }

    [Fact]
    public void EveryDashboard_UsesTheProvisionedDataSourceAndATenantVariable()
    {
        foreach (var file in DashboardFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var variables = document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Select(v => v.GetProperty("name").GetString()).ToList();
            Assert.Equal(["datasource", "tenant"], variables);
            foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray())
            {
                Assert.Equal("grafana-clickhouse-datasource", panel.GetProperty("datasource").GetProperty("type").GetString());
                var sql = Assert.Single(panel.GetProperty("targets").EnumerateArray()).GetProperty("rawSql").GetString()!;
                if (!sql.Contains("system.parts", StringComparison.Ordinal))
                {
                    Assert.Contains("tenant = '${tenant}'", sql, StringComparison.Ordinal);
                }
            }
        }
    }

    /// <summary>Spans and goal runs (AgentSim), a log record, a metric point, an acknowledged incident and a finding.</summary>
    private static async Task StoreEverySignalAsync(TaskLensHost host)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-20);
        using (var source = new ActivitySource("grafana-dashboards"))
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("agents"))
            .AddSource(source.Name)
            .AddOtlpExporter(o => (o.Protocol, o.Endpoint) = (OtlpExportProtocol.Grpc, host.GrpcEndpoint))
            .Build()!)
        {
            // A fifth of the sub-tasks fail, so some runs fail (the failed-runs table) and some complete.
            var simulator = new GoalSimulator(source, new SimOptions { FanOut = 6, ErrorRate = 0.2, Seed = 7 });
            for (var i = 0; i < 12; i++)
            {
                simulator.RunGoal(i, start.AddMinutes(i));
            }

            Assert.True(provider.ForceFlush(30_000));
        }

        var nano = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture);
        var resource = """{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agents"}}]}""";
        await PostJsonAsync(host.HttpLogsEndpoint, $$$"""
            {"resourceLogs":[{{{resource}}},"scopeLogs":[{"logRecords":[{"timeUnixNano":"{{{nano}}}","severityNumber":17,"body":{"stringValue":"tool call failed"}}]}]}]}
            """);
        await PostJsonAsync(host.HttpMetricsEndpoint, $$$"""
            {"resourceMetrics":[{{{resource}}},"scopeMetrics":[{"metrics":[{"name":"queue.depth","gauge":{"dataPoints":[{"timeUnixNano":"{{{nano}}}","asDouble":3}]}}]}]}]}
            """);

        await TriggerAsync(host, "grafana-1", "Checkout error rate above 5%", "checkout");
        var incident = (await ListUntilAsync(host, "", i => i.GetArrayLength() == 1))[0];
        var (ack, _) = await TriageAsync(host, incident.GetProperty("id").GetString()!, "ack", new { version = incident.GetProperty("version").GetInt64() });
        Assert.Equal(System.Net.HttpStatusCode.OK, ack);

        await host.Services.GetRequiredService<IFindingSink>().WriteAsync([Finding(start)], CancellationToken.None);
        await host.WaitForStoredAsync();
    }

    private static Finding Finding(DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Tenant = "default",
        Fingerprint = "goal/triage-inbox/completion_rate/grafana",
        Severity = AlertSeverity.Warning,
        Status = FindingStatus.Raised,
        Scope = "goal",
        Subject = "triage-inbox",
        Metric = "completion_rate",
        Observed = 0.4,
        Expected = 0.95,
        Lower = 0.8,
        Upper = 1,
        Score = 6,
        Detector = "robust-seasonal",
        WindowStart = at,
        WindowEnd = at.AddMinutes(1),
        RaisedAt = at.AddMinutes(1),
        Summary = "completion rate 40% below its band",
        Reason = "test",
    };

    private static async Task PostJsonAsync(Uri endpoint, string json)
    {
        using var response = await OtlpClient.PostHttpAsync(endpoint, Encoding.UTF8.GetBytes(json), "application/json");
        Assert.True(response.IsSuccessStatusCode, $"{endpoint}: {(int)response.StatusCode}");
    }

    /// <summary>
    /// Expands what Grafana and its ClickHouse data source would: <c>$__timeFilter(col)</c> over the last day,
    /// <c>${tenant}</c>, and the database name (the dashboards name <c>tasklens</c>; each test class has its own).
    /// </summary>
    private static async Task<int> RunAsync(ClickHouseClient client, PanelQuery query, string database)
    {
        var (from, to) = (DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        var sql = TimeFilter().Replace(query.Sql, m => $"{m.Groups["column"].Value} >= toDateTime({from}) AND {m.Groups["column"].Value} <= toDateTime({to})")
            .Replace("${tenant}", "default", StringComparison.Ordinal)
            .Replace("tasklens.", database + ".", StringComparison.Ordinal)
            .Replace("database = 'tasklens'", $"database = '{database}'", StringComparison.Ordinal);
        Assert.DoesNotContain("$", sql, StringComparison.Ordinal);
        try
        {
            return (await client.QueryAsync(sql, _ => 0, CancellationToken.None)).Count;
        }
        catch (ClickHouseException e)
        {
            Assert.Fail($"{query.Dashboard} / {query.Title}: {e.Message}");
            throw;
        }
    }

    private static IEnumerable<PanelQuery> DashboardQueries()
    {
        foreach (var file in DashboardFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var dashboard = document.RootElement.GetProperty("title").GetString()!;
            foreach (var variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() == "query")
                {
                    yield return new PanelQuery(dashboard, "variable " + variable.GetProperty("name").GetString(), variable.GetProperty("query").GetString()!);
                }
            }

            foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray())
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    yield return new PanelQuery(dashboard, panel.GetProperty("title").GetString()!, target.GetProperty("rawSql").GetString()!);
                }
            }
        }
    }

    private static string[] DashboardFiles()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "dashboards"), "*.json");
        Assert.True(files.Length >= 4, "dashboards/ should hold the spans, goals, incidents and ingest dashboards");
        return files;
    }

    [GeneratedRegex(@"\$__timeFilter\((?<column>[a-z_]+)\)")]
    private static partial Regex TimeFilter();

    private sealed record PanelQuery(string Dashboard, string Title, string Sql);
}
