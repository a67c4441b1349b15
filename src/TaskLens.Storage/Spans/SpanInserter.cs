using Microsoft.Extensions.Logging;
using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Spans;

/// <summary>
/// Stores spans in one RowBinary insert per call, at once and concurrently with other calls: runs of spans written
/// straight into rows by the spool drainer (<see cref="ISpanRowSink"/>, <see cref="SpanSinkKeys.StoredDirect"/>), and
/// span batches under <see cref="SpanBatchWriter"/>'s grouping of concurrent exports.
/// </summary>
internal sealed class SpanInserter(ClickHouseClient client, RowBinaryBufferPool segments, ILogger<SpanInserter> logger, TimeProvider time) : ISpanRowSink
{
    /// <summary>A run's body is written into segments of the bounded pool, given back when the run is disposed.</summary>
    public ISpanRowRun Begin(string tenant) => new SpanRowRun(this, new RowBinaryWriter(segments), tenant, (uint)time.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>One insert of every span of <paramref name="batches"/>; the failure, or null once ClickHouse holds them.</summary>
    public async Task<Exception?> InsertAsync(IReadOnlyList<SpanBatch> batches, CancellationToken cancellationToken)
    {
        // The body's segments go back to the bounded pool when the insert is done, not held by a writer kept here.
        using var rows = new RowBinaryWriter(segments);
        var spanCount = 0;
        var now = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var batch in batches)
        {
            SpanRowEncoder.Encode(batch, rows, now);
            spanCount += batch.SpanCount;
        }

        return await InsertRowsAsync(rows, spanCount, batches.Count, cancellationToken);
    }

    /// <summary>One insert of <paramref name="spanCount"/> encoded rows; the failure, or null once ClickHouse holds them.</summary>
    public async Task<Exception?> InsertRowsAsync(RowBinaryWriter rows, int spanCount, int batches, CancellationToken cancellationToken)
    {
        try
        {
            await client.InsertRowBinaryAsync(SpanRowEncoder.Table, SpanRowEncoder.Columns, rows, cancellationToken);
            StorageLog.SpansWritten(logger, spanCount, batches);
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
