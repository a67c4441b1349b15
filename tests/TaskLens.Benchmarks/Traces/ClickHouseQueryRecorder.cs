namespace TaskLens.Benchmarks.Traces;

/// <summary>
/// Sits between a <see cref="Storage.ClickHouse.ClickHouseClient"/> and ClickHouse and keeps the SQL of every request,
/// so the benchmark knows how many queries one trace lookup makes and can run exactly those again for their statistics.
/// </summary>
internal sealed class ClickHouseQueryRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<string> _queries = [];

    /// <summary>The SQL sent since the last call, in order; the list starts again empty.</summary>
    public List<string> Take()
    {
        lock (_queries)
        {
            var taken = _queries.ToList();
            _queries.Clear();
            return taken;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Reads send the SQL as the body; buffering it here leaves it readable for the inner handler.
        var sql = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_queries)
        {
            _queries.Add(sql);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
