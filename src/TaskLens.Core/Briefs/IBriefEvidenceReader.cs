using TaskLens.Core.Traces;

namespace TaskLens.Core.Briefs;

/// <summary>
/// The evidence a brief reads beyond incidents, alerts, goals and traces: error messages and service versions of a set
/// of services over a window, grouped in storage so a flood of errors costs one bounded answer.
/// </summary>
public interface IBriefEvidenceReader
{
    /// <summary>
    /// Error logs (severity ERROR and above) and span status messages of spans in error, of <paramref name="services"/>
    /// (names compared in lower case) in [since, until), grouped by service, kind and text; at most
    /// <paramref name="limit"/> groups, earliest first-seen first.
    /// </summary>
    Task<IReadOnlyList<ErrorMessageGroup>> ErrorMessagesAsync(
        string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The calls between services of one tenant seen in [since, until): caller → callee with their count, from server and
    /// consumer spans whose parent span is in another service. Reads only that tenant's spans.
    /// </summary>
    Task<IReadOnlyList<ServiceLink>> ServiceLinksAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Every <c>service.version</c> (resource attribute) each of <paramref name="services"/> ran in [since, until).</summary>
    Task<IReadOnlyList<ServiceVersionSeen>> ServiceVersionsAsync(
        string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);
}
