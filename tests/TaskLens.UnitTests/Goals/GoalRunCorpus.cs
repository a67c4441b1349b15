using System.Globalization;
using System.Text;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;

namespace TaskLens.UnitTests.Goals;

/// <summary>
/// A fixed corpus of goal runs for comparing the calculator's output before and after a change: SDK-shaped traces
/// across services (HTTP, database, agents with LLM and tool calls, errors, 429s, marked retries), every goal marker,
/// goals below other spans, AgentSim-style runaway loops (one tool call id repeated), orphan spans, parent cycles,
/// chains deeper than the critical path's limit, equal start and end times, duplicates, late spans after a
/// finalization, two tenants, and runs past the per-run span limit. Streamed through a real <see cref="GoalRollup"/>
/// in interleaved batches with sweeps on a test clock; every finalized run is written as one line. What the rollup
/// asks back from storage before a sweep (a late span of a finalized run) is handed back from every span observed so
/// far, as the rollup's sweeper does from ClickHouse.
/// </summary>
internal static class GoalRunCorpus
{
    private const ulong Epoch = 1_767_225_600_000_000_000;
    private static readonly string[] Services = ["frontend", "checkout", "planner-agent", "tool-gateway", "llm-proxy", "inventory"];
    private static readonly string[] Models = ["gpt-4o", "claude-sonnet-4", "mystery-model"];
    private static readonly string[] Tools = ["web_search", "read_file", "run_tests", "sql_query"];

    /// <summary>Every run finalized while streaming the corpus (default rules), then again with the root rule only.</summary>
    public static string Compute()
    {
        var text = new StringBuilder();
        Stream(text, new GoalOptions { MaxSpansPerRun = 280 });
        var rootOnly = new GoalOptions { MaxSpansPerRun = 280 };
        rootOnly.Rules.Add(GoalRule.Root);
        Stream(text, rootOnly);
        return text.ToString();
    }

    private static void Stream(StringBuilder text, GoalOptions options)
    {
        var prices = ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10, "cached_input": 1.25}, "claude-sonnet-4": {"input": 3, "output": 15}}}""");
        var rollup = new GoalRollup(options, prices);
        var random = new Random(2026);
        var spans = new List<(string Tenant, int Service, SpanRecord Span, (string, object)[] Attributes)>();
        for (var trace = 1; trace <= 320; trace++)
        {
            AddTrace(spans, random, (ulong)trace, trace % 7 == 0 ? "acme" : "default");
        }

        // Late spans (a quarter of some traces) and duplicates arrive after the first finalization.
        var late = new List<(string, int, SpanRecord, (string, object)[])>();
        for (var i = spans.Count - 1; i >= 0; i--)
        {
            if (spans[i].Span.TraceIdLow % 11 == 3 && random.Next(4) == 0)
            {
                late.Add(spans[i]);
                spans.RemoveAt(i);
            }
            else if (random.Next(50) == 0)
            {
                late.Add(spans[i]);
            }
        }

        Shuffle(spans, random);
        var stored = new List<(string Tenant, int Service, SpanRecord Span, (string, object)[] Attributes)>();
        long nowMs = 0;
        for (var start = 0; start < spans.Count; start += 300)
        {
            Observe(rollup, spans.GetRange(start, Math.Min(300, spans.Count - start)), nowMs, stored);
            nowMs += 2_000;
            Write(text, Sweep(rollup, stored, nowMs));
        }

        nowMs += 60_000;
        Write(text, Sweep(rollup, stored, nowMs));
        Observe(rollup, late, nowMs, stored);
        nowMs += 60_000;
        Write(text, Sweep(rollup, stored, nowMs));
        Write(text, Sweep(rollup, stored, nowMs + (long)TimeSpan.FromHours(2).TotalMilliseconds));
    }

    /// <summary>Hands back what the rollup asked for (every stored span of each trace), then sweeps.</summary>
    private static IReadOnlyList<GoalRun> Sweep(GoalRollup rollup, List<(string Tenant, int Service, SpanRecord Span, (string, object)[] Attributes)> stored, long nowMs)
    {
        foreach (var (tenant, high, low) in rollup.TakeReloads())
        {
            var trace = stored.Where(s => s.Tenant == tenant && s.Span.TraceIdHigh == high && s.Span.TraceIdLow == low).ToList();
            rollup.Reload(ToBatch(trace)[0], nowMs);
        }

        return rollup.Sweep(nowMs);
    }

    private static void Observe(
        GoalRollup rollup,
        List<(string Tenant, int Service, SpanRecord Span, (string, object)[] Attributes)> spans,
        long nowMs,
        List<(string Tenant, int Service, SpanRecord Span, (string, object)[] Attributes)> stored)
    {
        stored.AddRange(spans);
        foreach (var batch in ToBatch(spans))
        {
            rollup.Observe(batch, nowMs);
        }
    }

    /// <summary>One batch per tenant, in the order the spans are given.</summary>
    private static List<SpanBatch> ToBatch(List<(string Tenant, int Service, SpanRecord Span, (string, object)[] Attributes)> spans)
    {
        var batches = new List<SpanBatch>();
        foreach (var tenant in spans.GroupBy(s => s.Tenant))
        {
            var batch = new SpanBatch { Tenant = tenant.Key };
            batch.AddScope(new ScopeRecord("corpus", "", default, 0, ""));
            foreach (var service in Services)
            {
                batch.AddResource(new ResourceRecord(default, 0, "", service));
            }

            foreach (var (_, serviceIndex, span, attributes) in tenant)
            {
                var first = batch.AttributeCount;
                foreach (var (key, value) in attributes)
                {
                    batch.AddAttribute(value switch
                    {
                        string s => new AttributeRecord(key, AttributeValueType.String, s),
                        bool b => new AttributeRecord(key, AttributeValueType.Bool, b ? "true" : "false"),
                        _ => new AttributeRecord(key, AttributeValueType.Int, Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
                    });
                }

                batch.AddSpan(span with { ResourceIndex = serviceIndex, Attributes = new AttributeRange(first, attributes.Length) });
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static void AddTrace(List<(string, int, SpanRecord, (string, object)[])> spans, Random random, ulong trace, string tenant)
    {
        var shape = (int)(trace % 10);
        var size = shape switch { 9 => 400, 6 => 270, _ => random.Next(20, 201) };
        var ids = new List<(ulong Id, ulong Start, ulong End, int Service)>();
        ulong NextId() => (trace << 32) | (uint)(ids.Count + 1) | (random.Next(8) == 0 ? 0x8000_0000_0000_0000UL : 0);

        void Add(ulong id, ulong parent, ulong start, ulong end, int service, string name, int status, params (string, object)[] attributes)
        {
            spans.Add((tenant, service, new SpanRecord
            {
                TraceIdHigh = 0xC0FFEE, TraceIdLow = trace, SpanId = id, ParentSpanId = parent, Name = name, TraceState = "",
                StartTimeUnixNano = Epoch + start, EndTimeUnixNano = Epoch + end, StatusCode = status,
                StatusMessage = status == 2 ? $"failed: {name} #{random.Next(3)}" : "",
            }, attributes));
            ids.Add((id, start, end, service));
        }

        // The top of the trace: a root HTTP span, unless the trace has no root (orphans only) or a parent cycle.
        var rootId = NextId();
        var rootEnd = (ulong)random.Next(5_000, 60_000) * 1_000_000;
        var missingParent = (trace << 32) | 0xFFFF;
        var rootParent = shape switch { 3 => missingParent, 4 => rootId + 1, _ => 0UL };
        Add(rootId, rootParent, 0, rootEnd, 0, "GET /checkout", 0, ("http.request.method", "GET"), ("http.response.status_code", 200));
        var goalMarker = shape switch
        {
            0 => ("tasklens.goal.name", (object)$"goal-{trace % 4}"),
            1 => ("gen_ai.workflow.name", $"workflow-{trace % 3}"),
            2 => ("gen_ai.agent.name", $"agent-{trace % 5}"),
            5 => ("traceloop.workflow.name", "tl-flow"),
            _ => ("service.note", (object)"none"),
        };
        var agentId = NextId();
        var agentStart = (ulong)random.Next(0, 2) * 1_000_000;
        var agentAttributes = shape == 5
            ? new (string, object)[] { ("traceloop.span.kind", "workflow"), goalMarker }
            : [("gen_ai.operation.name", "invoke_agent"), goalMarker];
        Add(agentId, rootId, agentStart, rootEnd - (ulong)random.Next(0, 3) * 1_000_000, 2, "invoke_agent planner", random.Next(12) == 0 ? 2 : 0, agentAttributes);
        if (shape == 4)
        {
            // Closes the parent cycle root -> agent's sibling -> root.
            Add(rootId + 1, rootId, 0, rootEnd, 1, "cycle", 0);
        }

        var loopCallId = $"call-loop-{trace}";
        while (ids.Count < size)
        {
            var parent = ids[random.Next(Math.Min(ids.Count, shape == 6 ? ids.Count : 12))];
            if (shape == 6)
            {
                parent = ids[^1]; // a deep chain, past the critical path's depth limit
            }

            var span = parent.End > parent.Start ? parent.End - parent.Start : 1;
            var start = parent.Start + ((ulong)random.Next(0, 4) * span / 8);
            var end = random.Next(6) == 0 ? parent.End : start + ((ulong)random.Next(1, 4) * span / 8);
            var service = random.Next(10) < 6 ? parent.Service : random.Next(Services.Length);
            var error = random.Next(20) == 0 ? 2 : 0;
            var id = random.Next(40) == 0 ? NextId() ^ 0x4000_0000_0000_0000 : NextId();
            var orphanParent = random.Next(30) == 0 ? missingParent + (ulong)random.Next(3) : parent.Id;
            switch (random.Next(shape == 7 ? 3 : 6))
            {
                case 0:
                    var model = Models[random.Next(Models.Length)];
                    Add(id, orphanParent, start, end, 4, "chat " + model, error,
                        ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", model), ("gen_ai.usage.input_tokens", random.Next(0, 4_000)),
                        ("gen_ai.usage.output_tokens", random.Next(0, 800)), ("gen_ai.usage.cache_read.input_tokens", random.Next(0, 100)));
                    break;
                case 1:
                    var callId = shape == 7 ? loopCallId : $"call-{trace}-{random.Next(size)}";
                    Add(id, orphanParent, start, end, 3, "execute_tool " + Tools[random.Next(Tools.Length)], error,
                        ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.call.id", callId));
                    break;
                case 2:
                    Add(id, orphanParent, start, end, 3, "execute_tool web_search", random.Next(8) == 0 ? 2 : 0,
                        ("gen_ai.operation.name", "execute_tool"), ("tasklens.retry", random.Next(5) == 0));
                    break;
                case 3:
                    Add(id, orphanParent, start, end, 5, "SELECT orders", error, ("db.system.name", "postgresql"));
                    break;
                case 4:
                    var status = random.Next(8) == 0 ? 429 : 200;
                    Add(id, orphanParent, start, end, service, "POST /api", error,
                        ("http.request.method", "POST"), ("http.response.status_code", status), ("http.request.resend_count", random.Next(6) == 0 ? 1 : 0));
                    break;
                default:
                    Add(id, orphanParent, start, start, service, "work", error);
                    break;
            }
        }
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static void Write(StringBuilder text, IReadOnlyList<GoalRun> runs)
    {
        foreach (var run in runs.OrderBy(r => r.Tenant, StringComparer.Ordinal).ThenBy(r => r.RunId, StringComparer.Ordinal).ThenBy(r => r.Version))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{run.Tenant} {run.RunId} v{run.Version} {run.Rule} '{run.GoalName}' {run.GoalSpanId:x} {run.Service} {run.Outcome} {run.StartUnixNano}-{run.EndUnixNano}");
            text.Append(CultureInfo.InvariantCulture,
                $" kinds={run.LlmCalls}/{run.ToolCalls}/{run.DbCalls}/{run.HttpCalls}/{run.OtherSubTasks} fan={run.FanOut} depth={run.Depth}");
            text.Append(CultureInfo.InvariantCulture,
                $" tokens={run.InputTokens}/{run.OutputTokens}/{run.CachedTokens} cost={run.Cost?.ToString("R", CultureInfo.InvariantCulture) ?? "-"} unpriced={run.UnpricedCalls}");
            text.Append(CultureInfo.InvariantCulture,
                $" errors={run.Errors} first='{run.FirstError}' {run.FirstErrorSpanId:x} throttled={run.Throttled} retries={run.Retries} untracked={run.SpansNotTracked}");
            text.Append(CultureInfo.InvariantCulture, $" cp={run.CriticalPathNano} [{string.Join(",", run.CriticalPathSpanIds.Select(id => id.ToString("x", CultureInfo.InvariantCulture)))}]");
            text.Append(CultureInfo.InvariantCulture, $" calls=[{string.Join(",", run.ServiceCalls.Select(c => c.Caller + ">" + c.Callee))}]");
            text.Append('\n');
        }
    }
}
