using System.Net;
using TaskLens.IntegrationTests.Infrastructure;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.State;

/// <summary>
/// Two TaskLens nodes on one ClickHouse database and one PostgreSQL: alerts of one incident arriving at both land in
/// one incident, a change made on one node is seen by the other, and of two triage changes made at once on the version
/// a person saw, one is kept and the other answered 409 with the current state — no change is lost.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class TwoNodeStateTests(ClickHouseFixture clickHouse, PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private TaskLensHost _a = null!;
    private TaskLensHost _b = null!;

    public async Task InitializeAsync()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var state = await postgres.Server.CreateDatabaseAsync("two_nodes");
        _a = await StartNodeAsync(database, state, "a");
        _b = await StartNodeAsync(database, state, "b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task AlertsOfOneIncident_SplitAcrossNodesAtOnce_LandInOneIncident()
    {
        await Task.WhenAll(
            TriggerAsync(_a, "k1", "Checkout error rate 7%", "checkout"),
            TriggerAsync(_b, "k2", "Checkout latency p99 2 s", "checkout"),
            TriggerAsync(_b, "k3", "Checkout error rate 9%", "checkout"),
            TriggerAsync(_a, "k4", "Checkout latency p99 3 s", "checkout"));

        foreach (var node in new[] { _a, _b })
        {
            var listed = await ListUntilAsync(node, "", i => i.GetArrayLength() >= 1 && i[0].GetProperty("alerts").GetInt32() == 4);
            Assert.Equal(1, listed.GetArrayLength());
            var detail = await DetailAsync(node, listed[0].GetProperty("id").GetString()!);
            Assert.Equal(["events:k1", "events:k2", "events:k3", "events:k4"],
                detail.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetString()).Order());
            var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
            Assert.Equal(Enumerable.Range(1, timeline.Count).Select(v => (long)v), timeline.Select(e => e.GetProperty("version").GetInt64()));
        }

        // The alert resolved at the other node from the one it fired at: one state per alert, shared.
        await ResolveAsync(_b, "k1");
        var incident = (await ListUntilAsync(_a, "", i => i[0].GetProperty("firingAlerts").GetInt32() == 3))[0];
        Assert.Equal(4, incident.GetProperty("alerts").GetInt32());
    }

    [Fact]
    public async Task Triage_AtBothNodesOnTheSameVersion_OneIsKeptAndTheOtherGets409WithTheCurrentState()
    {
        await TriggerAsync(_a, "p1", "Payments timeouts", "payments");
        var id = (await ListUntilAsync(_b, "", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString()!;
        for (var round = 0; round < 5; round++)
        {
            var seen = (await DetailAsync(_a, id)).GetProperty("incident").GetProperty("version").GetInt64();
            var answers = await Task.WhenAll(
                TriageAsync(_a, id, "assign", new { version = seen, assignee = "ana-" + round }),
                TriageAsync(_b, id, "assign", new { version = seen, assignee = "bo-" + round }));

            var won = Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
            var lost = Assert.Single(answers, a => a.Status == HttpStatusCode.Conflict);
            var winner = won.Body.GetProperty("incident");
            Assert.Equal(winner.GetProperty("assignee").GetString(), lost.Body.GetProperty("current").GetProperty("assignee").GetString());
            Assert.Equal(winner.GetProperty("version").GetInt64(), lost.Body.GetProperty("current").GetProperty("version").GetInt64());
            Assert.Equal(seen + 1, winner.GetProperty("version").GetInt64());
        }

        // Changes made one after another, alternating nodes, each on the version the other node answered: all kept.
        var version = (await DetailAsync(_b, id)).GetProperty("incident").GetProperty("version").GetInt64();
        var steps = new (TaskLensHost Node, string Action, object Body)[]
        {
            (_a, "ack", new { version }),
            (_b, "notes", new { version = version + 1, text = "rolled back" }),
            (_a, "severity", new { version = version + 2, severity = "warning" }),
            (_b, "resolve", new { version = version + 3 }),
        };
        foreach (var (node, action, body) in steps)
        {
            var done = await TriageAsync(node, id, action, body);
            Assert.True(done.Status == HttpStatusCode.OK, $"{action}: {(int)done.Status} {done.Body}");
        }

        var detail = await DetailAsync(_a, id);
        Assert.Equal(("resolved", "warning", version + 4), (detail.GetProperty("incident").GetProperty("status").GetString(),
            detail.GetProperty("incident").GetProperty("severity").GetString(), detail.GetProperty("incident").GetProperty("version").GetInt64()));
        var kinds = detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Where(k => k != "brief-written").ToList();
        Assert.Equal(5, kinds.Count(k => k == "assigned"));
        Assert.Equal(["acknowledged", "noted", "severity-changed", "resolved"], kinds.TakeLast(4));
    }

    private async Task<TaskLensHost> StartNodeAsync(string database, string state, string node) =>
        await TaskLensHost.StartAsync(clickHouse.Url, database, new Dictionary<string, string?>(Settings)
        {
            ["TaskLens:State:Postgres"] = state,
            ["TaskLens:Spool:Path"] = Path.Combine(Path.GetTempPath(), $"tasklens-spool-{database}-{node}"),
        });
}
