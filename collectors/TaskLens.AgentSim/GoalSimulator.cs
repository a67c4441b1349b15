using System.Diagnostics;

namespace TaskLens.AgentSim;

/// <summary>
/// Plays agent goal runs as spans: an <c>invoke_agent</c> root that fans out in one burst into LLM, tool, database
/// and HTTP sub-tasks with GenAI semantic-convention attributes (old and new names both appear, as in practice),
/// optionally through nested agents. Latency is simulated with explicit span times, not sleeps, so a 5,000-sub-task
/// run is emitted in milliseconds, as real agents emit it. Failures, 429 throttling with retries, and runaway loops
/// are injected at the configured rates.
/// </summary>
internal sealed class GoalSimulator(ActivitySource source, SimOptions options)
{
    private static readonly string[] GoalNames = ["triage-inbox", "refactor-module", "answer-ticket"];
    private static readonly string[] Models = ["gpt-4o", "claude-sonnet-4", "llama-3.1-70b"];
    private static readonly string[] Tools = ["web_search", "read_file", "run_tests", "sql_query"];

    private readonly Random _random = new(options.Seed);

    /// <summary>Spans emitted so far, for the caller's summary.</summary>
    public long SpansEmitted { get; private set; }

    /// <summary>
    /// Runs one goal and returns its trace id. <paramref name="at"/> places the run at another time than now (tests
    /// play hours of history in seconds; span times are explicit anyway).
    /// </summary>
    public string RunGoal(int index, DateTimeOffset? at = null)
    {
        var goal = GoalNames[index % GoalNames.Length];
        var start = at ?? DateTimeOffset.UtcNow;
        var runaway = _random.NextDouble() < options.RunawayRate;
        using var root = Start($"invoke_agent {goal}", ActivityKind.Internal, start)!;
        root.SetTag("gen_ai.operation.name", "invoke_agent");
        root.SetTag("gen_ai.agent.name", goal);
        root.SetTag("tasklens.goal.name", goal);
        var end = RunAgent(root, options.Depth, start, runaway);
        if (root.Status == ActivityStatusCode.Unset && runaway)
        {
            root.SetStatus(ActivityStatusCode.Error, "agent loop: the same tool call repeated");
        }

        root.SetEndTime(end.UtcDateTime);
        return root.TraceId.ToHexString();
    }

    /// <summary>One agent's sub-tasks; nested agents take an equal part of the fan-out. Returns when it ended.</summary>
    private DateTimeOffset RunAgent(Activity agent, int depth, DateTimeOffset start, bool runaway)
    {
        var end = start;
        var ownTasks = depth > 1 ? options.FanOut / 2 : options.FanOut;
        var failures = 0;
        for (var i = 0; i < ownTasks; i++)
        {
            var (taskEnd, failed) = RunSubTask(i, start.AddMilliseconds(i % 50));
            end = taskEnd > end ? taskEnd : end;
            failures += failed ? 1 : 0;
        }

        if (runaway)
        {
            // A runaway loop: the same tool call, again and again, ten times the normal fan-out.
            for (var i = 0; i < options.FanOut * 10; i++)
            {
                using var call = Start("execute_tool web_search", ActivityKind.Internal, start.AddMilliseconds(i))!;
                call.SetTag("gen_ai.operation.name", "execute_tool");
                call.SetTag("gen_ai.tool.name", "web_search");
                call.SetTag("gen_ai.tool.call.id", "call_loop");
                call.SetEndTime(start.AddMilliseconds(i + 5).UtcDateTime);
            }
        }

        if (depth > 1)
        {
            using var child = Start("invoke_agent researcher", ActivityKind.Internal, start.AddMilliseconds(1))!;
            child.SetTag("gen_ai.operation.name", "invoke_agent");
            child.SetTag("gen_ai.agent.name", "researcher");
            var childEnd = RunAgent(child, depth - 1, start.AddMilliseconds(1), runaway: false);
            child.SetEndTime(childEnd.UtcDateTime);
            end = childEnd > end ? childEnd : end;
        }

        if (failures > 0)
        {
            agent.SetStatus(ActivityStatusCode.Error, $"{failures} sub-tasks failed");
        }

        return end.AddMilliseconds(2);
    }

    private (DateTimeOffset End, bool Failed) RunSubTask(int i, DateTimeOffset start)
    {
        var failed = _random.NextDouble() < options.ErrorRate;
        var latency = TimeSpan.FromMilliseconds(5 + (_random.NextDouble() * 400));
        var end = start + latency;
        switch (i % 4)
        {
            case 0:
                var model = Models[_random.Next(Models.Length)];
                var throttled = _random.NextDouble() < options.ThrottleRate;
                if (throttled)
                {
                    // The provider answers 429; the agent retries the same request.
                    using var refused = Start($"chat {model}", ActivityKind.Client, start)!;
                    refused.SetTag("gen_ai.operation.name", "chat");
                    refused.SetTag("gen_ai.system", "openai");
                    refused.SetTag("gen_ai.request.model", model);
                    refused.SetTag("http.response.status_code", 429L);
                    refused.SetTag("error.type", "429");
                    refused.SetStatus(ActivityStatusCode.Error, "rate limited");
                    refused.SetEndTime(start.AddMilliseconds(3).UtcDateTime);
                    start = start.AddMilliseconds(200);
                    end = start + latency;
                }

                using (var llm = Start($"chat {model}", ActivityKind.Client, start)!)
                {
                    llm.SetTag("gen_ai.operation.name", "chat");
                    llm.SetTag(i % 8 == 0 ? "gen_ai.system" : "gen_ai.provider.name", "openai");
                    llm.SetTag("gen_ai.request.model", model);
                    llm.SetTag("gen_ai.response.model", model);
                    llm.SetTag("gen_ai.usage.input_tokens", (long)_random.Next(200, 4000));
                    llm.SetTag("gen_ai.usage.output_tokens", (long)_random.Next(20, 800));
                    if (throttled)
                    {
                        llm.SetTag("tasklens.retry", true);
                    }

                    Finish(llm, failed, "model error", end);
                }

                break;
            case 1:
                var tool = Tools[_random.Next(Tools.Length)];
                using (var call = Start($"execute_tool {tool}", ActivityKind.Internal, start)!)
                {
                    call.SetTag("gen_ai.operation.name", "execute_tool");
                    call.SetTag("gen_ai.tool.name", tool);
                    call.SetTag("gen_ai.tool.call.id", $"call_{i}");
                    Finish(call, failed, $"{tool} failed", end);
                }

                break;
            case 2:
                using (var db = Start("SELECT memories", ActivityKind.Client, start)!)
                {
                    db.SetTag("db.system.name", "postgresql");
                    db.SetTag("db.query.text", "SELECT * FROM memories WHERE goal = $1");
                    Finish(db, failed, "connection reset", end);
                }

                break;
            default:
                using (var http = Start("GET", ActivityKind.Client, start)!)
                {
                    http.SetTag("http.request.method", "GET");
                    http.SetTag("url.full", "https://api.example.com/v1/items");
                    http.SetTag("http.response.status_code", failed ? 503L : 200L);
                    Finish(http, failed, "upstream unavailable", end);
                }

                break;
        }

        return (end, failed);
    }

    private Activity? Start(string name, ActivityKind kind, DateTimeOffset start)
    {
        SpansEmitted++;
        return source.StartActivity(name, kind, parentContext: default, tags: null, links: null, startTime: start);
    }

    private static void Finish(Activity activity, bool failed, string error, DateTimeOffset end)
    {
        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }

        activity.SetEndTime(end.UtcDateTime);
    }
}
