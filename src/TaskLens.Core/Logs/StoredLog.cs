using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Logs;

/// <summary>A log record as read back from storage. Ids are lowercase hex, empty when the record had none.</summary>
public sealed record StoredLog
{
    public required ulong TimeUnixNano { get; init; }
    public required ulong ObservedTimeUnixNano { get; init; }
    public required string ServiceName { get; init; }
    public required int SeverityNumber { get; init; }
    public required string SeverityText { get; init; }
    public required AttributeValueType BodyType { get; init; }
    public required string Body { get; init; }
    public required string TraceId { get; init; }
    public required string SpanId { get; init; }
    public required uint Flags { get; init; }
    public required string EventName { get; init; }
    public required IReadOnlyList<AttributeRecord> Attributes { get; init; }
    public required uint DroppedAttributesCount { get; init; }
    public required StoredResource Resource { get; init; }
    public required StoredScope Scope { get; init; }
}
