using System.Net;
using System.Net.Http.Json;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.Incidents;

/// <summary>
/// With ClickHouse down, an alert and a triage request are answered 503 with Retry-After and change nothing; retried
/// once it is back, both land: the alert joins its incident, the acknowledgement with the version seen before.
/// </summary>
public sealed class IncidentStoreUnavailableTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-incidents-down-" + Guid.NewGuid().ToString("N")[..8]);
    private ClickHouseProcess _clickHouse = null!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _clickHouse = new ClickHouseProcess(_directory, ports[0], ports[1], "clickhouse-server");
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _clickHouse.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task DuringAnOutage_AlertsAndTriageGet503_AndTheirRetriesLand()
    {
        await using var host = await TaskLensHost.StartAsync(_clickHouse.Url, "incidents_down", new Dictionary<string, string?>(Settings)
        {
            ["TaskLens:ClickHouse:MaxRetries"] = "0",

            // Incident state lives in the state store: one of this run's own, beside its ClickHouse.
            ["TaskLens:State:Path"] = Path.Combine(_directory, "state.db"),
            ["Logging:LogLevel:Default"] = "Critical",
        });
        await TriggerAsync(host, "p1", "Payments timeouts", "payments");
        var incident = (await ListUntilAsync(host, "", i => i.GetArrayLength() == 1))[0];
        var (id, seen) = (incident.GetProperty("id").GetString()!, incident.GetProperty("version").GetInt64());

        await _clickHouse.StopAsync();
        var alert = new
        {
            routing_key = Token, event_action = "trigger", dedup_key = "p2",
            payload = new { summary = "Payments error rate 9%", source = "payments", severity = "error", custom_details = new { service = "payments" } },
        };
        using (var refused = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), alert))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        }

        var ack = await TriageAsync(host, id, "ack", new { version = seen, by = "ana" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ack.Status);

        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        using (var retried = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), alert))
        {
            Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        }

        ack = await TriageAsync(host, id, "ack", new { version = seen, by = "ana" });
        Assert.Equal(HttpStatusCode.OK, ack.Status);
        var detail = await DetailAsync(host, id);
        Assert.Equal(("acknowledged", 2), (detail.GetProperty("incident").GetProperty("status").GetString(), detail.GetProperty("incident").GetProperty("alerts").GetInt32()));
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        // Brief entries (written in the background when the incident changes) may fall between; they are not triage.
        Assert.Equal(["opened", "alert-joined", "alert-joined", "acknowledged"], timeline.Select(e => e.GetProperty("kind").GetString()).Where(k => k != "brief-written"));
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(v => (long)v), timeline.Select(e => e.GetProperty("version").GetInt64()));
    }
}
