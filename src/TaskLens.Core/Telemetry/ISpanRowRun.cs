namespace TaskLens.Core.Telemetry;

/// <summary>
/// The spans of a run of exports, written as they are decoded (<see cref="ISpanRowWriter"/>) and then stored in one
/// insert. Disposing gives its buffers back, stored or not.
/// </summary>
public interface ISpanRowRun : ISpanRowWriter, IDisposable
{
    /// <summary>Spans written so far.</summary>
    int SpanCount { get; }

    /// <summary>
    /// Stores every span written; may be called again after a failure (the same rows). Throws
    /// <see cref="StoreRejectedException"/> when storage refuses them for good, <see cref="SpanSinkUnavailableException"/>
    /// when it should be tried later.
    /// </summary>
    Task StoreAsync(CancellationToken cancellationToken);
}
