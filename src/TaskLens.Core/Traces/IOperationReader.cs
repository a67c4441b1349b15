namespace TaskLens.Core.Traces;

/// <summary>Rate, errors and duration per service operation, for every span (not only goals).</summary>
public interface IOperationReader
{
    /// <summary>Every operation of <paramref name="service"/> with spans in [since, until), over that window.</summary>
    Task<IReadOnlyList<OperationFigures>> OperationsAsync(
        string tenant, string service, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Every operation of every service of the tenant with spans in [since, until), over that window, in one read.</summary>
    Task<IReadOnlyList<OperationFigures>> AllOperationsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>One operation (or all of the service's, merged, when null) per <paramref name="bucket"/> of whole minutes.</summary>
    Task<IReadOnlyList<OperationFigures>> SeriesAsync(
        string tenant, string service, string? operation, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken);
}
