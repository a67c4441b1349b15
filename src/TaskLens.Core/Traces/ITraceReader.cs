namespace TaskLens.Core.Traces;

/// <summary>Reads stored traces and service summaries for one tenant.</summary>
public interface ITraceReader
{
    /// <summary>The most spans one read carries (a trace page, a run's tree); callers page on with an offset.</summary>
    const int MaxSpansPerRead = 10_000;

    /// <summary>
    /// The spans of a trace ordered by start time, at most <paramref name="limit"/> after the first
    /// <paramref name="offset"/>; an empty list when the trace is unknown. Ask for one more than wanted to learn whether
    /// there are more.
    /// </summary>
    Task<IReadOnlyList<StoredSpan>> GetTraceAsync(string tenant, TraceId traceId, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>How many distinct spans the trace has stored (0 when unknown): the whole of what pages of <see cref="GetTraceAsync"/> hold.</summary>
    Task<long> CountSpansAsync(string tenant, TraceId traceId, CancellationToken cancellationToken);

    /// <summary>Every service that sent spans, with its span count and when it was last seen.</summary>
    Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>The tenant's service calls with spans starting since <paramref name="since"/> (no other tenant's spans are read).</summary>
    Task<IReadOnlyList<ServiceLink>> ServiceLinksAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Recent traces with a span in error in each of <paramref name="services"/> (names compared in lower case), newest first.</summary>
    Task<IReadOnlyList<SampleTrace>> ErrorTracesAsync(
        string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, int perService, CancellationToken cancellationToken);
}
