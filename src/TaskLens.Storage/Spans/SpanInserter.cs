using Microsoft.Extensions.Logging;
using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Spans;

/// <summary>
/// Stores spans in one RowBinary insert per call, at once and concurrently with other calls: runs of spans written
/// straight into rows by the spool drainer (<see cref="ISpanRowSink"/>, <see cref="SpanSinkKeys.StoredDirect"/>), and
/// the runs of concurrent exports under <see cref="SpanBatchWriter"/>'s grouping (the spool off).
/// </summary>
internal sealed class SpanInserter(ClickHouseClient client, RowBinaryBufferPool segments, ILogger<SpanInserter> logger, TimeProvider time) : ISpanRowSink
{
    /// <summary>A run's body is written into segments of the bounded pool, given back when the run is disposed.</summary>
    public ISpanRowRun Begin(string tenant) => Begin(tenant, (rows, spanCount, cancellationToken) => InsertRowsAsync([rows], spanCount, cancellationToken));

    /// <summary>A run as <see cref="Begin(string)"/>'s, stored by <paramref name="store"/> (a grouping writer's queue).</summary>
    public ISpanRowRun Begin(string tenant, Func<RowBinaryWriter, int, CancellationToken, Task<Exception?>> store) =>
        new SpanRowRun(store, new RowBinaryWriter(segments), tenant, (uint)time.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>
    /// One insert of the encoded rows of <paramref name="runs"/> (<paramref name="spanCount"/> spans in all), one run
    /// after the other; the failure, or null once ClickHouse holds them.
    /// </summary>
    public async Task<Exception?> InsertRowsAsync(IReadOnlyList<RowBinaryWriter> runs, int spanCount, CancellationToken cancellationToken)
    {
        try
        {
            await client.InsertRowBinaryAsync(SpansTable.Name, SpansTable.Columns, runs, cancellationToken);
            StorageLog.SpansWritten(logger, spanCount, runs.Count);
            return null;
        }
        catch (Exception e)
        {
            // Whatever went wrong is answered to the caller, never thrown past it: a grouping writer that died here
            // would leave every later export waiting for ever.
            StorageLog.SpanWriteFailed(logger, spanCount, e);
            return e;
        }
    }

    /// <summary>What a failed insert means to the caller: refused for good, or retry later.</summary>
    public static Exception Answer(Exception failure) => failure switch
    {
        ClickHouseException { IsPermanent: true } refused => new StoreRejectedException("ClickHouse refused these spans for good: " + refused.Message, refused),
        _ => new SpanSinkUnavailableException("ClickHouse could not store the spans; retry later.", failure),
    };
}
