namespace TaskLens.Core.Traces;

/// <summary>RED figures of one operation (span name) of a service over a window or one step of a series.</summary>
public sealed record OperationFigures
{
    public required string Service { get; init; }
    public required string Operation { get; init; }

    /// <summary>The start of the step, or of the window.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The length of the step or window, for the rate.</summary>
    public required TimeSpan Span { get; init; }
    public long Spans { get; init; }
    public long Errors { get; init; }
    public double RatePerSecond => Span > TimeSpan.Zero ? Spans / Span.TotalSeconds : 0;
    public double? ErrorRate => Spans == 0 ? null : (double)Errors / Spans;
    public double DurationP50Ms { get; init; }
    public double DurationP95Ms { get; init; }
    public double DurationP99Ms { get; init; }
}
