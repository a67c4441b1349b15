namespace TaskLens.Core.Telemetry;

/// <summary>A piece of text in a <see cref="Utf8SpanParts"/> buffer: its start and length in bytes.</summary>
public readonly record struct Utf8Range(int Start, int Length);
