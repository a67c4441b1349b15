using System.Globalization;
using TaskLens.Core.Telemetry;

namespace TaskLens.UnitTests.Goals;

/// <summary>Builds decoded span batches for rollup tests: one service, spans with times in milliseconds.</summary>
internal sealed class TraceBuilder
{
    /// <summary>Span times are milliseconds after this instant (2026-01-01T00:00:00Z).</summary>
    public const ulong EpochNano = 1_767_225_600_000_000_000;

    private readonly SpanBatch _batch = new();

    public TraceBuilder(string service = "agents", string tenant = "default")
    {
        _batch.Tenant = tenant;
        _batch.AddResource(new ResourceRecord(default, 0, "", service));
        _batch.AddScope(new ScopeRecord("test", "", default, 0, ""));
    }

    public static ulong Nano(double ms) => EpochNano + (ulong)(ms * 1_000_000);

    public TraceBuilder Span(
        ulong trace, ulong id, ulong parent, double startMs, double endMs, string name, string? error = null, params (string Key, object Value)[] attributes)
    {
        var start = _batch.AttributeCount;
        foreach (var (key, value) in attributes)
        {
            _batch.AddAttribute(value switch
            {
                string s => new AttributeRecord(key, AttributeValueType.String, s),
                bool b => new AttributeRecord(key, AttributeValueType.Bool, b ? "true" : "false"),
                double d => new AttributeRecord(key, AttributeValueType.Double, d.ToString("R", CultureInfo.InvariantCulture)),
                _ => new AttributeRecord(key, AttributeValueType.Int, Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
            });
        }

        _batch.AddSpan(new SpanRecord
        {
            TraceIdHigh = 0x0102030405060708,
            TraceIdLow = trace,
            SpanId = id,
            ParentSpanId = parent,
            Name = name,
            TraceState = "",
            StartTimeUnixNano = Nano(startMs),
            EndTimeUnixNano = Nano(endMs),
            Attributes = new AttributeRange(start, attributes.Length),
            StatusCode = error is null ? 0 : 2,
            StatusMessage = error ?? "",
        });
        return this;
    }

    public TraceBuilder Agent(ulong trace, ulong id, ulong parent, double startMs, double endMs, string agent, string? error = null) =>
        Span(trace, id, parent, startMs, endMs, "invoke_agent " + agent, error, ("gen_ai.operation.name", "invoke_agent"), ("gen_ai.agent.name", agent));

    public TraceBuilder Llm(
        ulong trace, ulong id, ulong parent, double startMs, double endMs, string model, long input, long output, long cached = 0, string? error = null,
        params (string Key, object Value)[] more) =>
        Span(trace, id, parent, startMs, endMs, "chat " + model, error,
        [
            ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", model),
            ("gen_ai.usage.input_tokens", input), ("gen_ai.usage.output_tokens", output), ("gen_ai.usage.cache_read.input_tokens", cached), .. more,
        ]);

    public TraceBuilder Tool(ulong trace, ulong id, ulong parent, double startMs, double endMs, string tool, string callId, string? error = null) =>
        Span(trace, id, parent, startMs, endMs, "execute_tool " + tool, error,
            ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", tool), ("gen_ai.tool.call.id", callId));

    public TraceBuilder Db(ulong trace, ulong id, ulong parent, double startMs, double endMs) =>
        Span(trace, id, parent, startMs, endMs, "SELECT orders", null, ("db.system.name", "postgresql"));

    public TraceBuilder Http(ulong trace, ulong id, ulong parent, double startMs, double endMs, long status = 200) =>
        Span(trace, id, parent, startMs, endMs, "GET", null, ("http.request.method", "GET"), ("http.response.status_code", status));

    public SpanBatch Build() => _batch;
}
