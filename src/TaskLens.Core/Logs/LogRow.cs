using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Logs;

/// <summary>
/// One OTLP LogRecord. Ids are big-endian integers as in <see cref="SpanRecord"/>; zero means absent.
/// <see cref="Fingerprint"/> identifies the record for de-duplication: a retried export yields the same value.
/// </summary>
public sealed record LogRow
{
    public required TelemetryResource Resource { get; init; }
    public required TelemetryScope Scope { get; init; }
    public ulong TimeUnixNano { get; init; }
    public ulong ObservedTimeUnixNano { get; init; }

    /// <summary>OTLP SeverityNumber: 0 unspecified, 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal.</summary>
    public int SeverityNumber { get; init; }
    public string SeverityText { get; init; } = string.Empty;
    public AttributeValueType BodyType { get; init; }

    /// <summary>The body's canonical text for <see cref="BodyType"/> (as for attribute values).</summary>
    public string Body { get; init; } = string.Empty;
    public IReadOnlyList<AttributeRecord> Attributes { get; init; } = [];
    public uint DroppedAttributesCount { get; init; }
    public uint Flags { get; init; }
    public ulong TraceIdHigh { get; init; }
    public ulong TraceIdLow { get; init; }
    public ulong SpanId { get; init; }
    public string EventName { get; init; } = string.Empty;
    public ulong Fingerprint { get; init; }

    /// <summary>The time the record is filed under: its own time, else when it was observed.</summary>
    public ulong EffectiveTimeUnixNano => TimeUnixNano != 0 ? TimeUnixNano : ObservedTimeUnixNano;
}
