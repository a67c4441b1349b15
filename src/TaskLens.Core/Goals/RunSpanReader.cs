using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// Reads the facts a goal run needs from one span in a single pass over its attributes, as UTF-8 (the drainer hands
/// them over as it decodes, <see cref="Utf8SpanParts"/>): strings are made only for what a run keeps, through the
/// pool. Old and new GenAI semantic-convention names are both read (they coexist in practice), as are the Traceloop
/// and OpenInference ones.
/// </summary>
internal sealed class RunSpanReader(string goalIdAttribute, string goalNameAttribute)
{
    private static readonly Utf8Range None = new(0, -1);

    [ThreadStatic]
    private static Utf8SpanParts? t_parts;

    private readonly byte[] _goalIdKey = System.Text.Encoding.UTF8.GetBytes(goalIdAttribute);
    private readonly byte[] _goalNameKey = System.Text.Encoding.UTF8.GetBytes(goalNameAttribute);
    private readonly StringPool _strings = new();
    private readonly ConcurrentDictionary<(string Name, string Service, string? Model, SubTaskKind Kind), SpanShape> _shapes = new();

    private enum Fact : byte
    {
        None,
        Operation,
        ResponseModel,
        RequestModel,
        Provider,
        InputTokens,
        OutputTokens,
        CachedTokens,
        Workflow,
        AgentName,
        AgentId,
        ToolCallId,
        TraceloopKind,
        TraceloopWorkflow,
        OpenInferenceKind,
        Db,
        Http,
        HttpStatus,
        GrpcStatus,
        ErrorType,
        Retry,
        ResendCount,
    }

    /// <summary>The service's pooled string, for a caller to take once per resource.</summary>
    public string Service(ReadOnlySpan<byte> utf8) => _strings.Intern(utf8);

    /// <summary>A span of a <see cref="SpanBatch"/> (spans reloaded from storage): its text as UTF-8 first, then as the drainer's.</summary>
    public RunSpan Read(SpanBatch batch, in SpanRecord span)
    {
        var parts = t_parts ??= new Utf8SpanParts();
        parts.Clear();
        foreach (var attribute in batch.AttributesOf(span.Attributes))
        {
            parts.AddAttribute(new Utf8KeyValue(parts.AddText(attribute.Key), attribute.Type, parts.AddText(attribute.Value)));
        }

        var text = new Utf8Span
        {
            SpanId = span.SpanId,
            ParentSpanId = span.ParentSpanId,
            StartTimeUnixNano = span.StartTimeUnixNano,
            EndTimeUnixNano = span.EndTimeUnixNano,
            StatusCode = span.StatusCode,
            Name = parts.AddText(span.Name),
            StatusMessage = parts.AddText(span.StatusMessage),
            Attributes = new AttributeRange(0, parts.AttributeCount),
        };
        return Read(parts, text, _strings.Intern(batch.Resources[span.ResourceIndex].ServiceName));
    }

    public RunSpan Read(Utf8SpanParts parts, in Utf8Span span, string service)
    {
        ArgumentNullException.ThrowIfNull(parts);
        Utf8Range operation = None, model = None, requestModel = None, goalId = None, goalName = None;
        Utf8Range workflow = None, agentName = None, agentId = None, traceloopKind = None, traceloopWorkflow = None;
        Utf8Range openInferenceKind = None, errorType = None, toolCallId = None;
        long input = 0, output = 0, cached = 0;
        bool db = false, http = false, provider = false, throttled = false, retry = false;
        foreach (ref readonly var attribute in parts.AttributesOf(span.Attributes))
        {
            var key = parts.Text(attribute.Key);
            var value = attribute.Value;
            switch (Classify(key))
            {
                case Fact.Operation: operation = value; break;
                case Fact.ResponseModel: model = value; break;
                case Fact.RequestModel: requestModel = value; break;
                case Fact.Provider: provider = true; break;
                case Fact.InputTokens: input = Integer(parts.Text(value)); break;
                case Fact.OutputTokens: output = Integer(parts.Text(value)); break;
                case Fact.CachedTokens: cached = Integer(parts.Text(value)); break;
                case Fact.Workflow: workflow = value; break;
                case Fact.AgentName: agentName = value; break;
                case Fact.AgentId: agentId = value; break;
                case Fact.ToolCallId: toolCallId = value; break;
                case Fact.TraceloopKind: traceloopKind = value; break;
                case Fact.TraceloopWorkflow: traceloopWorkflow = value; break;
                case Fact.OpenInferenceKind: openInferenceKind = value; break;
                case Fact.Db: db = true; break;
                case Fact.Http: http = true; break;
                case Fact.HttpStatus: throttled |= parts.Text(value).SequenceEqual("429"u8); break;
                case Fact.GrpcStatus: throttled |= parts.Text(value).SequenceEqual("8"u8); break;
                case Fact.ErrorType: errorType = value; break;
                case Fact.Retry: retry |= parts.Text(value).SequenceEqual("true"u8); break;
                case Fact.ResendCount: retry |= Integer(parts.Text(value)) > 0; break;
                default:
                    if (key.SequenceEqual(_goalIdKey))
                    {
                        goalId = value;
                    }
                    else if (key.SequenceEqual(_goalNameKey))
                    {
                        goalName = value;
                    }

                    break;
            }
        }

        var op = Text(parts, operation);
        var traceloop = Text(parts, traceloopKind);
        var openInference = Text(parts, openInferenceKind);
        var markers = GoalMarkers.None;
        markers |= goalId.Length >= 0 || goalName.Length >= 0 ? GoalMarkers.Explicit : 0;
        markers |= op.SequenceEqual("invoke_workflow"u8) ? GoalMarkers.Workflow : 0;
        markers |= op.SequenceEqual("invoke_agent"u8) ? GoalMarkers.Agent : 0;
        markers |= traceloop.SequenceEqual("workflow"u8) || openInference.SequenceEqual("AGENT"u8) ? GoalMarkers.Framework : 0;
        model = model.Length >= 0 ? model : requestModel;
        var isError = span.StatusCode == 2;
        RunSpanExtras? extras = null;
        if (isError || markers != GoalMarkers.None)
        {
            extras = new RunSpanExtras(
                !isError ? "" : span.StatusMessage.Length > 0 ? Pooled(parts, span.StatusMessage)! : Pooled(parts, errorType) ?? "",
                Pooled(parts, goalName.Length >= 0 ? goalName : goalId),
                Pooled(parts, workflow),
                Pooled(parts, agentName.Length >= 0 ? agentName : agentId),
                Pooled(parts, traceloopWorkflow));
        }

        var kind = KindOf(operation.Length >= 0, op, traceloop, openInference, model.Length >= 0, provider, input + output, db, http);
        return RunSpan.Create(
            span.SpanId,
            span.ParentSpanId,
            span.StartTimeUnixNano,
            span.EndTimeUnixNano,
            ShapeOf(_strings.Intern(parts.Text(span.Name)), service, Pooled(parts, model), kind),
            extras,
            toolCallId.Length < 0 ? 0 : XxHash3.HashToUInt64(parts.Text(toolCallId)) | 1,
            Clamp(input),
            Clamp(output),
            Clamp(cached),
            isError,
            throttled,
            retry,
            markers);
    }

    /// <summary>Which fact an attribute key gives: by length first, so most keys cost one comparison at most.</summary>
    private static Fact Classify(ReadOnlySpan<byte> key) => key.Length switch
    {
        9 when key.SequenceEqual("db.system"u8) => Fact.Db,
        10 when key.SequenceEqual("error.type"u8) => Fact.ErrorType,
        11 when key.SequenceEqual("http.method"u8) => Fact.Http,
        12 when key.SequenceEqual("llm.provider"u8) => Fact.Provider,
        13 when key.SequenceEqual("gen_ai.system"u8) => Fact.Provider,
        14 when key.SequenceEqual("llm.model_name"u8) => Fact.RequestModel,
        14 when key.SequenceEqual("db.system.name"u8) => Fact.Db,
        14 when key.SequenceEqual("tasklens.retry"u8) => Fact.Retry,
        15 when key.SequenceEqual("gen_ai.agent.id"u8) => Fact.AgentId,
        16 when key.SequenceEqual("http.status_code"u8) => Fact.HttpStatus,
        17 when key.SequenceEqual("gen_ai.agent.name"u8) => Fact.AgentName,
        19 when key.SequenceEqual("http.request.method"u8) => Fact.Http,
        19 when key.SequenceEqual("gen_ai.tool.call.id"u8) => Fact.ToolCallId,
        19 when key.SequenceEqual("traceloop.span.kind"u8) => Fact.TraceloopKind,
        20 when key.SequenceEqual("gen_ai.request.model"u8) => Fact.RequestModel,
        20 when key.SequenceEqual("gen_ai.provider.name"u8) => Fact.Provider,
        20 when key.SequenceEqual("gen_ai.workflow.name"u8) => Fact.Workflow,
        20 when key.SequenceEqual("rpc.grpc.status_code"u8) => Fact.GrpcStatus,
        21 when key.SequenceEqual("gen_ai.operation.name"u8) => Fact.Operation,
        21 when key.SequenceEqual("gen_ai.response.model"u8) => Fact.ResponseModel,
        22 when key.SequenceEqual("llm.token_count.prompt"u8) => Fact.InputTokens,
        23 when key.SequenceEqual("traceloop.workflow.name"u8) => Fact.TraceloopWorkflow,
        23 when key.SequenceEqual("openinference.span.kind"u8) => Fact.OpenInferenceKind,
        25 when key.SequenceEqual("gen_ai.usage.input_tokens"u8) => Fact.InputTokens,
        25 when key.SequenceEqual("http.response.status_code"u8) => Fact.HttpStatus,
        25 when key.SequenceEqual("http.request.resend_count"u8) => Fact.ResendCount,
        26 when key.SequenceEqual("gen_ai.usage.prompt_tokens"u8) => Fact.InputTokens,
        26 when key.SequenceEqual("gen_ai.usage.output_tokens"u8) => Fact.OutputTokens,
        26 when key.SequenceEqual("llm.token_count.completion"u8) => Fact.OutputTokens,
        30 when key.SequenceEqual("gen_ai.usage.completion_tokens"u8) => Fact.OutputTokens,
        36 when key.SequenceEqual("gen_ai.usage.cache_read.input_tokens"u8) => Fact.CachedTokens,
        36 when key.SequenceEqual("gen_ai.usage.cache_read_input_tokens"u8) => Fact.CachedTokens,
        41 when key.SequenceEqual("llm.token_count.prompt_details.cache_read"u8) => Fact.CachedTokens,
        _ => Fact.None,
    };

    private static ReadOnlySpan<byte> Text(Utf8SpanParts parts, Utf8Range range) => range.Length < 0 ? default : parts.Text(range);

    private string? Pooled(Utf8SpanParts parts, Utf8Range range) => range.Length < 0 ? null : _strings.Intern(parts.Text(range));

    /// <summary>One shared shape per distinct name, service, model and kind; past the pool's bound a span gets its own.</summary>
    private SpanShape ShapeOf(string name, string service, string? model, SubTaskKind kind)
    {
        var key = (name, service, model, kind);
        if (_shapes.TryGetValue(key, out var shape))
        {
            return shape;
        }

        shape = new SpanShape(name, service, model, kind);
        return _shapes.Count < StringPool.MaxEntries ? _shapes.GetOrAdd(key, shape) : shape;
    }

    private static int Clamp(long tokens) => (int)Math.Clamp(tokens, 0, int.MaxValue);

    private static SubTaskKind KindOf(
        bool hasOperation, ReadOnlySpan<byte> operation, ReadOnlySpan<byte> traceloopKind, ReadOnlySpan<byte> openInferenceKind,
        bool hasModel, bool provider, long tokens, bool db, bool http)
    {
        if (operation.SequenceEqual("chat"u8) || operation.SequenceEqual("text_completion"u8)
            || operation.SequenceEqual("generate_content"u8) || operation.SequenceEqual("embeddings"u8))
        {
            return SubTaskKind.Llm;
        }

        if (operation.SequenceEqual("execute_tool"u8))
        {
            return SubTaskKind.Tool;
        }

        if (traceloopKind.SequenceEqual("llm"u8) || openInferenceKind.SequenceEqual("LLM"u8) || openInferenceKind.SequenceEqual("EMBEDDING"u8))
        {
            return SubTaskKind.Llm;
        }

        if (traceloopKind.SequenceEqual("tool"u8) || openInferenceKind.SequenceEqual("TOOL"u8))
        {
            return SubTaskKind.Tool;
        }

        // An older instrumentation may name the provider and model but not the operation.
        if (!hasOperation && (provider || tokens > 0) && hasModel)
        {
            return SubTaskKind.Llm;
        }

        return db ? SubTaskKind.Db : http ? SubTaskKind.Http : SubTaskKind.Other;
    }

    /// <summary>Attribute text as an integer; a double is truncated, anything else is 0.</summary>
    private static long Integer(ReadOnlySpan<byte> text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? (long)d
        : 0;
}
