using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// Reads the facts a goal run needs from one decoded span in a single pass over its attributes. Old and new GenAI
/// semantic-convention names are both read (they coexist in practice), as are the Traceloop and OpenInference ones.
/// </summary>
internal sealed class RunSpanReader(string goalIdAttribute, string goalNameAttribute)
{
    private readonly StringPool _strings = new();
    private readonly ConcurrentDictionary<(string Name, string Service, string? Model, SubTaskKind Kind), SpanShape> _shapes = new();

    public RunSpan Read(SpanBatch batch, in SpanRecord span)
    {
        string? operation = null, model = null, requestModel = null, goalId = null, goalName = null;
        string? workflow = null, agentName = null, agentId = null, traceloopKind = null, traceloopWorkflow = null;
        string? openInferenceKind = null, errorType = null, toolCallId = null;
        long input = 0, output = 0, cached = 0;
        bool db = false, http = false, provider = false, throttled = false, retry = false;
        foreach (var attribute in batch.AttributesOf(span.Attributes))
        {
            var value = attribute.Value;
            switch (attribute.Key)
            {
                case "gen_ai.operation.name": operation = value; break;
                case "gen_ai.response.model": model = value; break;
                case "gen_ai.request.model" or "llm.model_name": requestModel = value; break;
                case "gen_ai.system" or "gen_ai.provider.name" or "llm.provider": provider = true; break;
                case "gen_ai.usage.input_tokens" or "gen_ai.usage.prompt_tokens" or "llm.token_count.prompt":
                    input = Integer(value); break;
                case "gen_ai.usage.output_tokens" or "gen_ai.usage.completion_tokens" or "llm.token_count.completion":
                    output = Integer(value); break;
                case "gen_ai.usage.cache_read.input_tokens" or "gen_ai.usage.cache_read_input_tokens"
                    or "llm.token_count.prompt_details.cache_read":
                    cached = Integer(value); break;
                case "gen_ai.workflow.name": workflow = value; break;
                case "gen_ai.agent.name": agentName = value; break;
                case "gen_ai.agent.id": agentId = value; break;
                case "gen_ai.tool.call.id": toolCallId = value; break;
                case "traceloop.span.kind": traceloopKind = value; break;
                case "traceloop.workflow.name": traceloopWorkflow = value; break;
                case "openinference.span.kind": openInferenceKind = value; break;
                case "db.system.name" or "db.system": db = true; break;
                case "http.request.method" or "http.method": http = true; break;
                case "http.response.status_code" or "http.status_code": throttled |= value == "429"; break;
                case "rpc.grpc.status_code": throttled |= value == "8"; break;
                case "error.type": errorType = value; break;
                case "tasklens.retry": retry |= value == "true"; break;
                case "http.request.resend_count": retry |= Integer(value) > 0; break;
                default:
                    if (attribute.Key == goalIdAttribute)
                    {
                        goalId = value;
                    }
                    else if (attribute.Key == goalNameAttribute)
                    {
                        goalName = value;
                    }

                    break;
            }
        }

        var markers = GoalMarkers.None;
        markers |= goalId is not null || goalName is not null ? GoalMarkers.Explicit : 0;
        markers |= operation == "invoke_workflow" ? GoalMarkers.Workflow : 0;
        markers |= operation == "invoke_agent" ? GoalMarkers.Agent : 0;
        markers |= traceloopKind == "workflow" || openInferenceKind == "AGENT" ? GoalMarkers.Framework : 0;
        model ??= requestModel;
        var isError = span.StatusCode == 2;
        RunSpanExtras? extras = null;
        if (isError || markers != GoalMarkers.None)
        {
            extras = new RunSpanExtras(
                !isError ? "" : _strings.Intern(!string.IsNullOrEmpty(span.StatusMessage) ? span.StatusMessage : errorType ?? ""),
                _strings.InternOrNull(goalName ?? goalId),
                _strings.InternOrNull(workflow),
                _strings.InternOrNull(agentName ?? agentId),
                _strings.InternOrNull(traceloopWorkflow));
        }

        return new RunSpan
        {
            SpanId = span.SpanId,
            ParentSpanId = span.ParentSpanId,
            StartUnixNano = span.StartTimeUnixNano,
            EndUnixNano = span.EndTimeUnixNano,
            Shape = ShapeOf(span.Name, batch.Resources[span.ResourceIndex].ServiceName, model, KindOf(operation, traceloopKind, openInferenceKind, model, provider, input + output, db, http)),
            IsError = isError,
            Throttled = throttled,
            MarkedRetry = retry,
            ToolCallId = toolCallId is null ? 0 : XxHash3.HashToUInt64(MemoryMarshal.AsBytes(toolCallId.AsSpan())) | 1,
            InputTokens = Clamp(input),
            OutputTokens = Clamp(output),
            CachedTokens = Clamp(cached),
            Markers = markers,
            Extras = extras,
        };
    }

    /// <summary>One shared shape per distinct name, service, model and kind; past the pool's bound a span gets its own.</summary>
    private SpanShape ShapeOf(string name, string service, string? model, SubTaskKind kind)
    {
        var key = (name, service, model, kind);
        if (_shapes.TryGetValue(key, out var shape))
        {
            return shape;
        }

        shape = new SpanShape(_strings.Intern(name), _strings.Intern(service), _strings.InternOrNull(model), kind);
        return _shapes.Count < StringPool.MaxEntries ? _shapes.GetOrAdd(key, shape) : shape;
    }

    private static int Clamp(long tokens) => (int)Math.Clamp(tokens, 0, int.MaxValue);

    private static SubTaskKind KindOf(
        string? operation, string? traceloopKind, string? openInferenceKind, string? model, bool provider, long tokens, bool db, bool http)
    {
        switch (operation)
        {
            case "chat" or "text_completion" or "generate_content" or "embeddings":
                return SubTaskKind.Llm;
            case "execute_tool":
                return SubTaskKind.Tool;
        }

        if (traceloopKind == "llm" || openInferenceKind is "LLM" or "EMBEDDING")
        {
            return SubTaskKind.Llm;
        }

        if (traceloopKind == "tool" || openInferenceKind == "TOOL")
        {
            return SubTaskKind.Tool;
        }

        // An older instrumentation may name the provider and model but not the operation.
        if (operation is null && (provider || tokens > 0) && model is not null)
        {
            return SubTaskKind.Llm;
        }

        return db ? SubTaskKind.Db : http ? SubTaskKind.Http : SubTaskKind.Other;
    }

    /// <summary>Attribute text as an integer; a double is truncated, anything else is 0.</summary>
    private static long Integer(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? (long)d
        : 0;
}
