using System.Diagnostics;

namespace TaskLens.AgentSim;

/// <summary>
/// Plays agent goal runs as spans: an <c>invoke_agent</c> root that fans out into LLM, tool and database
/// sub-tasks in one burst, with GenAI semantic-convention attributes and injected failures.
/// </summary>
internal sealed class GoalSimulator(ActivitySource source, SimOptions options)
{
    private static readonly string[] GoalNames = ["triage-inbox", "refactor-module", "answer-ticket"];
    private static readonly string[] Models = ["gpt-4o", "claude-sonnet-4", "llama-3.1-70b"];
    private static readonly string[] Tools = ["web_search", "read_file", "run_tests", "sql_query"];

    private readonly Random _random = new(options.Seed);

    /// <summary>Runs one goal and returns its trace id.</summary>
    public string RunGoal(int index)
    {
        var goal = GoalNames[index % GoalNames.Length];
        using var root = source.StartActivity($"invoke_agent {goal}", ActivityKind.Internal)!;
        root.SetTag("gen_ai.operation.name", "invoke_agent");
        root.SetTag("gen_ai.agent.name", goal);
        root.SetTag("tasklens.goal.name", goal);
        var failures = 0;
        for (var i = 0; i < options.FanOut; i++)
        {
            failures += RunSubTask(i) ? 0 : 1;
        }

        if (failures > 0)
        {
            root.SetStatus(ActivityStatusCode.Error, $"{failures} sub-tasks failed");
        }

        return root.TraceId.ToHexString();
    }

    private bool RunSubTask(int i)
    {
        var failed = _random.NextDouble() < options.ErrorRate;
        switch (i % 3)
        {
            case 0:
                var model = Models[_random.Next(Models.Length)];
                using (var llm = source.StartActivity($"chat {model}", ActivityKind.Client)!)
                {
                    llm.SetTag("gen_ai.operation.name", "chat");
                    llm.SetTag("gen_ai.provider.name", "openai");
                    llm.SetTag("gen_ai.request.model", model);
                    llm.SetTag("gen_ai.usage.input_tokens", (long)_random.Next(200, 4000));
                    llm.SetTag("gen_ai.usage.output_tokens", (long)_random.Next(20, 800));
                    if (failed)
                    {
                        llm.SetTag("http.response.status_code", 429L);
                        llm.SetStatus(ActivityStatusCode.Error, "rate limited");
                    }
                }

                break;
            case 1:
                var tool = Tools[_random.Next(Tools.Length)];
                using (var call = source.StartActivity($"execute_tool {tool}", ActivityKind.Internal)!)
                {
                    call.SetTag("gen_ai.operation.name", "execute_tool");
                    call.SetTag("gen_ai.tool.name", tool);
                    call.SetTag("gen_ai.tool.call.id", $"call_{i}");
                    if (failed)
                    {
                        call.SetStatus(ActivityStatusCode.Error, $"{tool} failed");
                    }
                }

                break;
            default:
                using (var db = source.StartActivity("SELECT memories", ActivityKind.Client)!)
                {
                    db.SetTag("db.system.name", "postgresql");
                    db.SetTag("db.query.text", "SELECT * FROM memories WHERE goal = $1");
                    if (failed)
                    {
                        db.SetStatus(ActivityStatusCode.Error, "connection reset");
                    }
                }

                break;
        }

        return !failed;
    }
}
