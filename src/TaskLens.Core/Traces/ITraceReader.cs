namespace TaskLens.Core.Traces;

/// <summary>Reads stored traces and service summaries for one tenant.</summary>
public interface ITraceReader
{
    /// <summary>The spans of a trace ordered by start time, or an empty list when the trace is unknown.</summary>
    Task<IReadOnlyList<StoredSpan>> GetTraceAsync(string tenant, TraceId traceId, CancellationToken cancellationToken);

    /// <summary>Every service that sent spans, with its span count and when it was last seen.</summary>
    Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(string tenant, CancellationToken cancellationToken);
}
