using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Briefs;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.UnitTests.TestSupport;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;
using Step = TaskLens.UnitTests.TestSupport.FakeOpenAiServer.Step;

namespace TaskLens.IntegrationTests.Briefs;

/// <summary>
/// Briefs kept in the state store: a restarted node serves the brief and narrative written before it stopped, without
/// asking the model again; two nodes on one PostgreSQL writing the same incident's brief at once ask the model once per
/// material change and serve the same brief. The model is a loopback OpenAI-compatible server counting its requests.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SharedBriefTests(ClickHouseFixture clickHouse, PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Narrative = "Checkout is failing; start with checkout's own errors.";

    [Fact]
    public async Task Restart_KeepsTheBriefAndItsNarrative_WithoutAskingTheModelAgain()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        var database = await clickHouse.CreateDatabaseAsync();
        var settings = ModelSettings(model, debounce: "00:00:01");
        model.Then(Step.Text(Narrative));

        string id;
        long version;
        await using (var before = await TaskLensHost.StartAsync(clickHouse.Url, database, settings))
        {
            await TriggerAsync(before, "r1", "Checkout error rate 7%", "checkout", "critical");
            id = (await ListUntilAsync(before, "", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString()!;
            using var written = await before.GetUntilAsync($"/api/incidents/{id}/brief", Accepted);
            version = written.RootElement.GetProperty("version").GetInt64();
        }

        Assert.Single(model.Requests);
        await using var after = await TaskLensHost.StartAsync(clickHouse.Url, database, settings);
        using (var served = await after.Api.GetAsync(new Uri($"/api/incidents/{id}/brief", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            using var json = JsonDocument.Parse(await served.Content.ReadAsStringAsync());
            Assert.Equal((version, "accepted", Narrative), Brief(json));
        }

        // A change that is not material (another alert of the same service and severity) refreshes the facts only.
        await TriggerAsync(after, "r2", "Checkout latency p99 2 s", "checkout", "critical");
        using var refreshed = await after.GetUntilAsync($"/api/incidents/{id}/brief", d => d.RootElement.GetProperty("facts").GetProperty("alerts").GetInt32() == 2);
        Assert.Equal((version, "accepted", Narrative), Brief(refreshed));
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task TwoNodesOnOnePostgres_WritingTheSameBriefAtOnce_AskTheModelOncePerMaterialChange()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        var database = await clickHouse.CreateDatabaseAsync();
        var state = await postgres.Server.CreateDatabaseAsync("shared_briefs");

        // The background writer waits ten minutes (the hosts' default): the test has both nodes write at once itself.
        await using var a = await StartNodeAsync(model, database, state, "a");
        await using var b = await StartNodeAsync(model, database, state, "b");
        await TriggerAsync(a, "n1", "Checkout error rate 7%", "checkout", "critical");
        await TriggerAsync(b, "n2", "Checkout latency p99 2 s", "checkout", "critical");
        var id = (await ListUntilAsync(b, "", i => i.GetArrayLength() == 1 && i[0].GetProperty("alerts").GetInt32() == 2))[0].GetProperty("id").GetString()!;

        // The model takes half a second, so the node that lost the race writes while the other still waits on it.
        model.Then(_ => Step.Hang(TimeSpan.FromMilliseconds(500)) with { Content = Narrative });
        await Task.WhenAll(WriteAsync(a, id), WriteAsync(b, id));
        Assert.Single(model.Requests);
        var first = await BothServeAsync(a, b, id);
        Assert.Equal(("accepted", Narrative), (first.Status, first.Text));

        // A material change (severity) made on one node: both write again at once, and the model is asked once more.
        var seen = (await DetailAsync(a, id)).GetProperty("incident").GetProperty("version").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await TriageAsync(a, id, "severity", new { version = seen, severity = "warning" })).Status);
        model.Then(_ => Step.Hang(TimeSpan.FromMilliseconds(500)) with { Content = "Checkout is degraded now." });
        await Task.WhenAll(WriteAsync(b, id), WriteAsync(a, id));
        Assert.Equal(2, model.Requests.Count);
        var second = await BothServeAsync(a, b, id);
        Assert.Equal((first.Version + 1, "accepted", "Checkout is degraded now."), (second.Version, second.Status, second.Text));

        // The timeline holds one entry per version, whichever node wrote it.
        var written = (await DetailAsync(b, id)).GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "brief-written").ToList();
        Assert.Equal(2, written.Count);
    }

    private static Task<TaskLens.Core.Briefs.IncidentBrief?> WriteAsync(TaskLensHost node, string id) =>
        node.Services.GetRequiredService<BriefService>().WriteAsync("default", id, force: false, allowModel: true, CancellationToken.None);

    /// <summary>The brief both nodes serve once the narrative is in, the same on each.</summary>
    private static async Task<(long Version, string Status, string Text)> BothServeAsync(TaskLensHost a, TaskLensHost b, string id)
    {
        using var fromA = await a.GetUntilAsync($"/api/incidents/{id}/brief", Accepted);
        using var fromB = await b.GetUntilAsync($"/api/incidents/{id}/brief", Accepted);
        Assert.Equal(Brief(fromA), Brief(fromB));
        return Brief(fromA);
    }

    private static bool Accepted(JsonDocument brief) => brief.RootElement.GetProperty("narrative").GetProperty("status").GetString() is "accepted" or "rejected" or "failed";

    private static (long Version, string Status, string Text) Brief(JsonDocument brief)
    {
        var narrative = brief.RootElement.GetProperty("narrative");
        return (brief.RootElement.GetProperty("version").GetInt64(), narrative.GetProperty("status").GetString()!, narrative.GetProperty("text").GetString()!);
    }

    private static Dictionary<string, string?> ModelSettings(FakeOpenAiServer model, string? debounce = null)
    {
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["TaskLens:Llm:Endpoint"] = model.Endpoint.ToString(),
            ["TaskLens:Llm:Model"] = FakeOpenAiServer.Model,
            ["TaskLens:Llm:ApiKey"] = FakeOpenAiServer.Key,
        };
        if (debounce is not null)
        {
            settings["TaskLens:Briefs:Debounce"] = debounce;
        }

        return settings;
    }

    private async Task<TaskLensHost> StartNodeAsync(FakeOpenAiServer model, string database, string state, string node) =>
        await TaskLensHost.StartAsync(clickHouse.Url, database, new Dictionary<string, string?>(ModelSettings(model))
        {
            ["TaskLens:State:Postgres"] = state,
            ["TaskLens:Spool:Path"] = Path.Combine(Path.GetTempPath(), $"tasklens-spool-{database}-{node}"),
        });
}
