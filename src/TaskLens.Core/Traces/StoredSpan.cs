using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

/// <summary>A span as read back from storage, with every field that was received. Ids are lowercase hex.</summary>
public sealed record StoredSpan
{
    public required string TraceId { get; init; }
    public required string SpanId { get; init; }

    /// <summary>Empty for a root span.</summary>
    public required string ParentSpanId { get; init; }
    public required string TraceState { get; init; }
    public required uint Flags { get; init; }
    public required string Name { get; init; }
    public required int Kind { get; init; }
    public required ulong StartTimeUnixNano { get; init; }
    public required ulong EndTimeUnixNano { get; init; }
    public required IReadOnlyList<AttributeRecord> Attributes { get; init; }
    public required uint DroppedAttributesCount { get; init; }
    public required IReadOnlyList<StoredEvent> Events { get; init; }
    public required uint DroppedEventsCount { get; init; }
    public required IReadOnlyList<StoredLink> Links { get; init; }
    public required uint DroppedLinksCount { get; init; }
    public required int StatusCode { get; init; }
    public required string StatusMessage { get; init; }
    public required string ServiceName { get; init; }
    public required StoredResource Resource { get; init; }
    public required StoredScope Scope { get; init; }
}
