namespace TaskLens.Core.Telemetry;

/// <summary>
/// Stores spans that a decoder writes straight into storage's rows (<see cref="ISpanRowRun"/>), without a
/// <see cref="SpanBatch"/> of strings in between: the spool drainer's sink. Registered under
/// <see cref="SpanSinkKeys.StoredDirect"/> by storage and under <see cref="SpanSinkKeys.Direct"/>, decorated by what
/// must see every stored span (the goal rollup), for callers.
/// </summary>
public interface ISpanRowSink
{
    /// <summary>A new, empty run of one tenant's spans.</summary>
    ISpanRowRun Begin(string tenant);
}
