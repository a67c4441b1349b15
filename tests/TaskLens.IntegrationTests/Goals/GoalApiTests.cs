using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Goals;

/// <summary>
/// An agent goal exported by the OpenTelemetry .NET SDK over OTLP is rolled up into a goal run, and the goal API
/// answers with its exact figures, its series, and its sub-tasks collapsed by operation.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class GoalApiTests(ClickHouseFixture clickHouse)
{
    private static readonly Dictionary<string, string?> FastGoals = new()
    {
        ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
        ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
    };

    /// <param name="spool">Off: each export is decoded straight into rows at ingest and stored before it is acknowledged.</param>
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, true)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, true)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, false)]
    public async Task AgentGoal_ExportedBySdk_IsRolledUp_AndServedByTheGoalApi(OtlpExportProtocol protocol, bool spool)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>(FastGoals) { ["TaskLens:Spool:Enabled"] = spool ? "true" : "false" });
        var goal = "triage-" + protocol + (spool ? "" : "-unspooled");
        // Within one minute, so the run starts and ends in the same series step.
        var start = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60) - 120 + 10);
        string traceId;
        using (var provider = GoalTraffic.CreateProvider(host, protocol, "agent-sim"))
        using (var source = new ActivitySource("agent-sim"))
        {
            traceId = EmitGoal(source, goal, start);
            Assert.True(provider.ForceFlush(10_000), "the exporter did not flush");
        }

        using var runs = await host.GetUntilAsync($"/api/goals/{goal}/runs", d => d.RootElement.GetProperty("runs").GetArrayLength() == 1);
        var run = runs.RootElement.GetProperty("runs")[0];
        Assert.Equal(traceId, run.GetProperty("runId").GetString());
        Assert.Equal("explicit", run.GetProperty("rule").GetString());
        Assert.Equal("completed", run.GetProperty("outcome").GetString());
        Assert.Equal(1_000.0, run.GetProperty("durationMs").GetDouble());
        var subTasks = run.GetProperty("subTasks");
        Assert.Equal((205, 102, 100, 1, 1, 1), (subTasks.GetProperty("total").GetInt32(), subTasks.GetProperty("llm").GetInt32(),
            subTasks.GetProperty("tool").GetInt32(), subTasks.GetProperty("db").GetInt32(), subTasks.GetProperty("http").GetInt32(), subTasks.GetProperty("other").GetInt32()));
        Assert.Equal((203, 2), (run.GetProperty("fanOut").GetInt32(), run.GetProperty("depth").GetInt32()));
        Assert.Equal((101_000L, 10_100L, 0L), Tokens(run.GetProperty("tokens")));
        Assert.Equal(101 * ((1000 * 2.5) + (100 * 10)) / 1e6, run.GetProperty("cost").GetDouble(), 9);
        Assert.Equal((1, 1, 1), (run.GetProperty("throttled").GetInt32(), run.GetProperty("retries").GetInt32(), run.GetProperty("errors").GetInt32()));
        Assert.Equal("rate limited", run.GetProperty("firstError").GetProperty("message").GetString());

        using var goals = await host.GetUntilAsync("/api/goals", _ => true);
        var figures = goals.RootElement.GetProperty("goals").EnumerateArray().Single(g => g.GetProperty("goal").GetString() == goal);
        Assert.Equal((1, 1, 0, 0), (figures.GetProperty("started").GetInt32(), figures.GetProperty("completed").GetInt32(),
            figures.GetProperty("failed").GetInt32(), figures.GetProperty("abandoned").GetInt32()));
        Assert.Equal(1.0, figures.GetProperty("completionRate").GetDouble());
        Assert.Equal(1_000.0, figures.GetProperty("durationMs").GetProperty("p99").GetDouble());
        Assert.Equal(203.0, figures.GetProperty("fanOut").GetProperty("p50").GetDouble());

        using var series = await host.GetUntilAsync($"/api/goals/{goal}/series?metric=completed&step=1m", _ => true);
        var point = Assert.Single(series.RootElement.GetProperty("points").EnumerateArray());
        Assert.Equal(1.0, point.GetProperty("value").GetDouble());
        var end = start.AddSeconds(1);
        Assert.Equal(end.ToUnixTimeSeconds() / 60 * 60, point.GetProperty("time").GetDateTimeOffset().ToUnixTimeSeconds());

        // 205 sub-tasks come back as a handful of groups: the goal, its 100 LLM calls, 100 tool calls, the throttled
        // call and its retry under one name, the nested agent, and what the nested agent did.
        using var detail = await host.GetUntilAsync($"/api/runs/{traceId}", _ => true);
        var groups = detail.RootElement.GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("operation").GetString()!, g => (Count: g.GetProperty("count").GetInt32(), Errors: g.GetProperty("errors").GetInt32(), Id: g.GetProperty("id").GetInt32()));
        Assert.Equal(7, groups.Count);
        Assert.Equal((100, 0), (groups["execute_tool read_file"].Count, groups["execute_tool read_file"].Errors));
        Assert.Equal((2, 1), (groups["chat gpt-4o retry"].Count, groups["chat gpt-4o retry"].Errors));
        using var page = await host.GetUntilAsync($"/api/runs/{traceId}?group={groups["chat gpt-4o"].Id}&offset=90&limit=50", _ => true);
        Assert.Equal(10, page.RootElement.GetProperty("spans").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/goals/g/series?metric=nope", HttpStatusCode.BadRequest, "metric is one of")]
    [InlineData("/api/goals/g/series?metric=cost&step=90s", HttpStatusCode.BadRequest, "whole number of minutes")]
    [InlineData("/api/goals/g/runs?outcome=3", HttpStatusCode.BadRequest, "completed, failed or abandoned")]
    [InlineData("/api/goals/g/runs?offset=-1", HttpStatusCode.BadRequest, "offset is a whole number")]
    [InlineData("/api/runs/xyz", HttpStatusCode.BadRequest, "32 hexadecimal digits")]
    [InlineData("/api/runs/0102030405060708090a0b0c0d0e0f10", HttpStatusCode.NotFound, "No finalized goal run")]
    public async Task BadGoalQueries_AreAnsweredWithTheRule(string path, HttpStatusCode status, string detail)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, FastGoals);

        using var response = await host.Api.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A goal with explicit times: 100 LLM calls and 100 tool calls in one burst, a throttled call and its retry, a
    /// nested agent that queries a database and calls an HTTP API. 1 s long.
    /// </summary>
    private static string EmitGoal(ActivitySource source, string goal, DateTimeOffset start)
    {
        using var root = source.StartActivity("invoke_agent " + goal, ActivityKind.Internal, default(ActivityContext), startTime: start)!;
        root.SetTag("gen_ai.operation.name", "invoke_agent");
        root.SetTag("gen_ai.agent.name", "planner");
        root.SetTag("tasklens.goal.name", goal);
        for (var i = 0; i < 100; i++)
        {
            Child(source, "chat gpt-4o", start.AddMilliseconds(10), 200, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"),
                ("gen_ai.usage.input_tokens", 1000L), ("gen_ai.usage.output_tokens", 100L));
            Child(source, "execute_tool read_file", start.AddMilliseconds(10), 100, ("gen_ai.operation.name", "execute_tool"),
                ("gen_ai.tool.name", "read_file"), ("gen_ai.tool.call.id", "call_" + i));
        }

        using (var refused = source.StartActivity("chat gpt-4o retry", ActivityKind.Client, root.Context, startTime: start.AddMilliseconds(300))!)
        {
            refused.SetTag("gen_ai.operation.name", "chat");
            refused.SetTag("gen_ai.request.model", "gpt-4o");
            refused.SetTag("http.response.status_code", 429L);
            refused.SetStatus(ActivityStatusCode.Error, "rate limited");
            refused.SetEndTime(start.AddMilliseconds(310).UtcDateTime);
        }

        Child(source, "chat gpt-4o retry", start.AddMilliseconds(400), 100, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"),
            ("gen_ai.usage.input_tokens", 1000L), ("gen_ai.usage.output_tokens", 100L));
        using (var helper = source.StartActivity("invoke_agent researcher", ActivityKind.Internal, root.Context, startTime: start.AddMilliseconds(600))!)
        {
            helper.SetTag("gen_ai.operation.name", "invoke_agent");
            helper.SetTag("gen_ai.agent.name", "researcher");
            Child(source, "SELECT docs", start.AddMilliseconds(610), 100, ("db.system.name", "postgresql"));
            Child(source, "GET", start.AddMilliseconds(720), 200, ("http.request.method", "GET"), ("http.response.status_code", 200L));
            helper.SetEndTime(start.AddMilliseconds(990).UtcDateTime);
        }

        root.SetEndTime(start.AddSeconds(1).UtcDateTime);
        return root.TraceId.ToHexString();
    }

    private static void Child(ActivitySource source, string name, DateTimeOffset start, int ms, params (string Key, object Value)[] tags)
    {
        using var span = source.StartActivity(name, ActivityKind.Client, Activity.Current!.Context, startTime: start)!;
        foreach (var (key, value) in tags)
        {
            span.SetTag(key, value);
        }

        span.SetEndTime(start.AddMilliseconds(ms).UtcDateTime);
    }

    private static (long Input, long Output, long Cached) Tokens(JsonElement tokens) =>
        (tokens.GetProperty("input").GetInt64(), tokens.GetProperty("output").GetInt64(), tokens.GetProperty("cached").GetInt64());
}
