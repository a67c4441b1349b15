namespace TaskLens.Core.Telemetry;

/// <summary>A contiguous run of attributes in <see cref="SpanBatch.Attributes"/>.</summary>
public readonly record struct AttributeRange(int Start, int Count);
