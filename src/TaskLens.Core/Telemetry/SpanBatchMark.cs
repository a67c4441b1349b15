namespace TaskLens.Core.Telemetry;

/// <summary>The lengths of a <see cref="SpanBatch"/>'s arrays at one moment.</summary>
public readonly record struct SpanBatchMark(int Resources, int Scopes, int Spans, int Attributes, int Events, int Links);
