using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core.Incidents;
using TaskLens.IntegrationTests.Infrastructure;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.Incidents;

/// <summary>
/// Incident triage over real HTTP and ClickHouse: the whole lifecycle with its timeline and domain events, stale versions
/// answered 409 with nothing changed, bad requests answered without side effects, concurrent edits all kept, merge and split.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class IncidentTriageTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Lifecycle_OverRest_IsRecordedInTheTimeline_AndPublished_AndStaleVersionsGet409()
    {
        var published = new Published();
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings, services => published.Register(services));
        await TriggerAsync(host, "k1", "Checkout error rate 7%", "checkout");
        await TriggerAsync(host, "k2", "Checkout latency p99 2 s", "checkout");
        var listed = await ListUntilAsync(host, "", i => i.GetArrayLength() == 1 && i[0].GetProperty("alerts").GetInt32() == 2);
        var id = listed[0].GetProperty("id").GetString()!;
        var seen = listed[0].GetProperty("version").GetInt64();
        Assert.Equal(("triggered", "critical", "checkout"), (listed[0].GetProperty("status").GetString(), listed[0].GetProperty("severity").GetString(), listed[0].GetProperty("services")[0].GetString()));

        var ack = await TriageAsync(host, id, "ack", new { version = seen, by = "ana" });
        Assert.Equal((HttpStatusCode.OK, "acknowledged"), (ack.Status, ack.Body.GetProperty("incident").GetProperty("status").GetString()));

        var stale = await TriageAsync(host, id, "assign", new { version = seen, by = "bo", assignee = "bo" });
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal(("acknowledged", ""), (stale.Body.GetProperty("current").GetProperty("status").GetString(), stale.Body.GetProperty("current").GetProperty("assignee").GetString()));
        var current = stale.Body.GetProperty("current").GetProperty("version").GetInt64();

        foreach (var (action, body) in new (string, object)[]
        {
            ("assign", new { version = current, by = "bo", assignee = "bo" }),
            ("notes", new { version = current + 1, by = "bo", text = "Rolled back checkout 4.2.1" }),
            ("severity", new { version = current + 2, by = "bo", severity = "warning" }),
            ("resolve", new { version = current + 3, by = "bo" }),
            ("reopen", new { version = current + 4, by = "ana" }),
        })
        {
            var done = await TriageAsync(host, id, action, body);
            Assert.True(done.Status == HttpStatusCode.OK, $"{action}: {(int)done.Status} {done.Body}");
        }

        var detail = await DetailAsync(host, id);
        var incident = detail.GetProperty("incident");
        Assert.Equal(("triggered", "bo", "warning", 2, 9L), (incident.GetProperty("status").GetString(), incident.GetProperty("assignee").GetString(),
            incident.GetProperty("severity").GetString(), incident.GetProperty("alerts").GetInt32(), incident.GetProperty("version").GetInt64()));
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(
            ["opened", "alert-joined", "alert-joined", "acknowledged", "assigned", "noted", "severity-changed", "resolved", "reopened"],
            timeline.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(Enumerable.Range(1, 9).Select(v => (long)v), timeline.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal((TaskLens.Core.Access.OpenModeActor.UserName, "Rolled back checkout 4.2.1"), (timeline[3].GetProperty("actor").GetString(), timeline[5].GetProperty("text").GetString()));
        var alerts = detail.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(["events:k1", "events:k2"], alerts.Select(a => a.GetProperty("id").GetString()).Order());
        Assert.Contains(alerts, a => a.GetProperty("reason").GetString()!.Contains("same workload 'checkout'", StringComparison.Ordinal));

        Assert.Equal(1, (await ListUntilAsync(host, "status=triggered&service=checkout", _ => true)).GetArrayLength());
        Assert.Equal(0, (await ListUntilAsync(host, "service=payments", _ => true)).GetArrayLength());
        Assert.Equal(0, (await ListUntilAsync(host, "severity=critical", _ => true)).GetArrayLength());
        using (var bad = await host.Api.GetAsync(new Uri("/api/incidents?status=burning", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        Assert.Equal(
            ["IncidentOpened", "IncidentUpdated", "IncidentUpdated", "IncidentUpdated", "IncidentUpdated", "IncidentUpdated", "IncidentResolved", "IncidentUpdated"],
            published.Names);
    }

    [Fact]
    public async Task BadTriageRequests_AreAnswered_AndChangeNothing()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await TriggerAsync(host, "db", "Orders DB connections exhausted", "orders-db");
        var id = (await ListUntilAsync(host, "", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString()!;
        var before = await DetailAsync(host, id);
        var version = before.GetProperty("incident").GetProperty("version").GetInt64();

        Assert.Equal(HttpStatusCode.NotFound, (await TriageAsync(host, "inc-999", "ack", new { version })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await TriageAsync(host, id, "escalate", new { version })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await TriageAsync(host, id, "ack", new { by = "ana" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await TriageAsync(host, id, "notes", new { version, by = "ana" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await TriageAsync(host, id, "severity", new { version, severity = "3" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await TriageAsync(host, id, "merge", new { version, incidents = new[] { "inc-2" } })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await TriageAsync(host, id, "notes", new { version, text = "   " })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await TriageAsync(host, id, "split", new { version, alerts = new[] { "events:db" } })).Status);
        await Raw(host, id, "{\"version\":", "application/json", HttpStatusCode.BadRequest);
        await Raw(host, id, "{\"version\":1}", "text/plain", HttpStatusCode.UnsupportedMediaType);
        await Raw(host, id, "{\"version\":1,\"by\":\"" + new string('x', 70_000) + "\"}", "application/json", HttpStatusCode.RequestEntityTooLarge);

        var after = await DetailAsync(host, id);
        Assert.Equal(before.GetProperty("timeline").GetRawText(), after.GetProperty("timeline").GetRawText());
        Assert.Equal(version, after.GetProperty("incident").GetProperty("version").GetInt64());
        var ack = await TriageAsync(host, id, "ack", new { version, by = "ana" });
        Assert.Equal((HttpStatusCode.OK, version + 1), (ack.Status, ack.Body.GetProperty("incident").GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task ConcurrentTriage_WhileAlertsKeepJoining_LosesNoEdit()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await TriggerAsync(host, "q0", "Queue backlog growing", "ingest-queue");
        var id = (await ListUntilAsync(host, "", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString()!;
        const int People = 6, NotesEach = 5, Alerts = 20;

        var alerts = Task.Run(async () =>
        {
            for (var i = 1; i <= Alerts; i++)
            {
                await TriggerAsync(host, $"q{i}", $"Queue backlog growing on partition {i}", "ingest-queue");
            }
        });
        var people = Enumerable.Range(0, People).Select(p => Task.Run(async () =>
        {
            for (var n = 0; n < NotesEach; n++)
            {
                var version = (await DetailAsync(host, id)).GetProperty("incident").GetProperty("version").GetInt64();
                while (true)
                {
                    var (status, body) = await TriageAsync(host, id, "notes", new { version, by = $"person-{p}", text = $"note {n} from person-{p}" });
                    if (status == HttpStatusCode.OK)
                    {
                        break;
                    }

                    Assert.Equal(HttpStatusCode.Conflict, status);
                    version = body.GetProperty("current").GetProperty("version").GetInt64();
                }
            }
        }));
        await Task.WhenAll(people.Append(alerts));

        var detail = await DetailAsync(host, id);
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        var notes = timeline.Where(e => e.GetProperty("kind").GetString() == "noted").Select(e => e.GetProperty("text").GetString()).ToList();
        var expected = Enumerable.Range(0, People).SelectMany(p => Enumerable.Range(0, NotesEach).Select(n => $"note {n} from person-{p}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), notes.Order(StringComparer.Ordinal));
        Assert.Equal(Alerts + 1, detail.GetProperty("incident").GetProperty("alerts").GetInt32());
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(v => (long)v), timeline.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(timeline.Count, detail.GetProperty("incident").GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task MergeThenSplit_MoveAlertsBetweenIncidents_WithTheReasonRecorded()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await TriggerAsync(host, "c1", "Checkout error rate 7%", "checkout");
        await TriggerAsync(host, "r1", "CI runner disk full", "ci-runner");
        var listed = await ListUntilAsync(host, "", i => i.GetArrayLength() == 2);
        var checkout = listed.EnumerateArray().Single(i => i.GetProperty("services")[0].GetString() == "checkout");
        var runner = listed.EnumerateArray().Single(i => i.GetProperty("services")[0].GetString() == "ci-runner");
        var (into, from) = (checkout.GetProperty("id").GetString()!, runner.GetProperty("id").GetString()!);

        var merged = await TriageAsync(host, into, "merge", new
        {
            version = checkout.GetProperty("version").GetInt64(), by = "ana", incidents = new[] { new { id = from, version = runner.GetProperty("version").GetInt64() } },
        });
        Assert.Equal((HttpStatusCode.OK, 2), (merged.Status, merged.Body.GetProperty("incident").GetProperty("alerts").GetInt32()));
        var gone = await ListUntilAsync(host, "status=merged", i => i.GetArrayLength() == 1);
        Assert.Equal((from, into), (gone[0].GetProperty("id").GetString(), gone[0].GetProperty("mergedInto").GetString()));
        Assert.Equal(1, (await ListUntilAsync(host, "", _ => true)).GetArrayLength());

        var split = await TriageAsync(host, into, "split", new
        {
            version = merged.Body.GetProperty("incident").GetProperty("version").GetInt64(), by = "bo", alerts = new[] { "events:r1" }, title = "CI runner disk",
        });
        Assert.Equal(HttpStatusCode.OK, split.Status);
        var created = split.Body.GetProperty("created").GetProperty("id").GetString()!;
        var detail = await DetailAsync(host, created);
        Assert.Equal(("CI runner disk", 1), (detail.GetProperty("incident").GetProperty("title").GetString(), detail.GetProperty("incident").GetProperty("alerts").GetInt32()));
        Assert.Equal($"split from {into} by {TaskLens.Core.Access.OpenModeActor.UserName}", detail.GetProperty("alerts")[0].GetProperty("reason").GetString());
        var kinds = (await DetailAsync(host, into)).GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["opened", "alert-joined", "merged-from", "alert-joined", "alert-split-off"], kinds);
    }

    private static async Task Raw(TaskLensHost host, string id, string body, string contentType, HttpStatusCode expected)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new(contentType);
        using var response = await host.Api.PostAsync(new Uri($"/api/incidents/{id}/ack", UriKind.Relative), content);
        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>A subscriber to the incident domain events, as the brief writer, Slack and the dashboard subscribe.</summary>
    private sealed class Published : INotificationHandler<IncidentOpened>, INotificationHandler<IncidentUpdated>, INotificationHandler<IncidentResolved>
    {
        private readonly ConcurrentQueue<string> _names = new();

        public IReadOnlyList<string> Names => _names.ToList();

        public void Register(IServiceCollection services)
        {
            services.AddSingleton<INotificationHandler<IncidentOpened>>(this);
            services.AddSingleton<INotificationHandler<IncidentUpdated>>(this);
            services.AddSingleton<INotificationHandler<IncidentResolved>>(this);
        }

        public Task Handle(IncidentOpened notification, CancellationToken cancellationToken) => Add(notification);

        public Task Handle(IncidentUpdated notification, CancellationToken cancellationToken) => Add(notification);

        public Task Handle(IncidentResolved notification, CancellationToken cancellationToken) => Add(notification);

        private Task Add(INotification notification)
        {
            _names.Enqueue(notification.GetType().Name);
            return Task.CompletedTask;
        }
    }
}
