namespace TaskLens.Core.Traces;

/// <param name="OffsetMs">Start after the trace's first span, in milliseconds.</param>
public sealed record WaterfallSpan(StoredSpan Span, int Depth, double OffsetMs, double DurationMs, bool OnCriticalPath);
