namespace TaskLens.Core.Traces;

/// <summary>A trace that shows a service failing: a span of it ended in error at <see cref="At"/>.</summary>
public sealed record SampleTrace(string Service, string TraceId, string SpanName, string StatusMessage, DateTimeOffset At);
