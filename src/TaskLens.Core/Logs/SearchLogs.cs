using MediatR;

namespace TaskLens.Core.Logs;

/// <summary>Log records matching <see cref="Query"/>, newest first.</summary>
public sealed record SearchLogs(LogQuery Query) : IRequest<IReadOnlyList<StoredLog>>;

internal sealed class SearchLogsHandler(ILogReader logs) : IRequestHandler<SearchLogs, IReadOnlyList<StoredLog>>
{
    public Task<IReadOnlyList<StoredLog>> Handle(SearchLogs request, CancellationToken cancellationToken) => logs.QueryAsync(request.Query, cancellationToken);
}
