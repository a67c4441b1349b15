using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Replays the spool into ClickHouse, oldest record first: on start-up (what an earlier run acknowledged but had
/// not stored), continuously while exports arrive, and after a ClickHouse outage, retrying the same records with
/// backoff until they are stored. Consecutive records of one signal and tenant go in one insert. Progress is kept in
/// a checkpoint file; a replay that repeats records after a crash is folded by the tables' identity keys.
/// </summary>
internal sealed class SpoolDrainer(
    DiskSpool spool,
    [FromKeyedServices(SpanSinkKeys.Direct)] ISpanRowSink spans,
    ILogSink logs,
    IMetricSink metrics,
    SpoolDeadLetters deadLetters,
    IOptions<SpoolOptions> options,
    ILogger<SpoolDrainer> logger) : BackgroundService
{
    private const string DrainAction = "read the spool or write a dead letter";
    private const string CheckpointAction = "write the drain checkpoint";
    private const string DeleteAction = "delete a drained segment";
    private const string Rejected = "rejected";
    private const string Undecodable = "undecodable";

    private const int RecordsPerRead = 2048;

    /// <summary>
    /// Bounds the memory one read holds (records stay in memory until their insert succeeds), unless the configured
    /// inserts in flight need more: a read holds at least two rounds of them, so runs keep overlapping.
    /// </summary>
    private const long BytesPerRead = 32L * 1024 * 1024;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly SpoolOptions _options = options.Value;

    /// <summary>
    /// The read blocks, kept between reads up to what one read holds: in the shared pool, whose bound also serves the
    /// request bodies, a 48 MiB read found at most 32 MiB of blocks and allocated the rest on the large-object heap
    /// each time — with the bodies it evicted, most of the allocations that set off gen-2 collections under load.
    /// </summary>
    private readonly IngestBufferPool _readBlocks = new(SpoolSegmentReader.MaxBlockBytesHeld(ReadBytes(options.Value)));
    private readonly DrainerFaults _faults = new(logger);

    private long _itemsStored;
    private SpoolPosition _position = new(0, 0);

    /// <summary>Items (spans, log records, points) stored since start; for tests and the benchmark.</summary>
    public long ItemsStored => Interlocked.Read(ref _itemsStored);

    /// <summary>True once everything committed to the spool so far is in ClickHouse.</summary>
    public bool IsCaughtUp
    {
        get
        {
            var committed = spool.Committed;
            var position = Volatile.Read(ref _position);
            return position.Seq > committed.Seq || (position.Seq == committed.Seq && position.Offset >= committed.Offset);
        }
    }

    /// <summary>What the drainer cannot do right now (disk full or read-only), for the operator; empty when all is well.</summary>
    public IReadOnlyList<string> Faults => _faults.Current;

    private string CheckpointPath => Path.Combine(spool.Directory, "checkpoint");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cursor = LoadCheckpoint();
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DrainOnceAsync(cursor, stoppingToken) is not { } next)
                {
                    return; // Stopping: the records stay in the spool for the next run.
                }

                cursor = next;
                _faults.Succeeded(DrainAction);
                delay = FirstRetryDelay;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A disk that cannot be read, or dead letters that cannot be written: nothing has been given up, so
                // the records not yet stored are read again after a pause (from what this step did store, so those are
                // not counted twice). A background service that threw would stop the host.
                _faults.Failed(DrainAction, e);
                var stored = Volatile.Read(ref _position);
                if (stored.Seq > cursor.Seq || (stored.Seq == cursor.Seq && stored.Offset > cursor.Offset))
                {
                    cursor = stored;
                }

                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>One step: reads a slice of the oldest segment with records and stores it; null when stopping.</summary>
    private async Task<SpoolPosition?> DrainOnceAsync(SpoolPosition cursor, CancellationToken stoppingToken)
    {
        var waitForData = spool.WaitForDataAsync();
        var committed = spool.Committed;
        var segments = spool.ListSegments();
        DeleteDrained(segments, cursor);
        var segment = segments.FirstOrDefault(seq => seq >= cursor.Seq);
        if (segment == 0)
        {
            // Nothing on disk beyond the cursor: caught up with whatever is committed.
            Volatile.Write(ref _position, committed);
            await WaitAsync(waitForData, stoppingToken);
            return cursor;
        }

        if (segment > cursor.Seq)
        {
            cursor = new SpoolPosition(segment, 0);
        }

        var sealedSegment = segment < committed.Seq;
        var limit = sealedSegment ? long.MaxValue : committed.Offset;
        if (cursor.Offset >= limit)
        {
            await WaitAsync(waitForData, stoppingToken);
            return cursor;
        }

        var read = SpoolSegmentReader.Read(spool.SegmentPath(segment), cursor.Offset, limit, RecordsPerRead, ReadBytes(_options), blockPool: _readBlocks);
        if (read.SkippedBytes > 0)
        {
            IngestLog.SpoolCorruption(logger, read.SkippedBytes, spool.SegmentPath(segment));
        }

        bool stored;
        try
        {
            foreach (var raw in read.Undecodable)
            {
                DeadLetter(raw, Undecodable, string.Empty, string.Empty, string.Empty, "The record's checksum holds but it is not a spool record this version of TaskLens reads.");
            }

            stored = await StoreAsync(read.Records, segment, stoppingToken);
        }
        finally
        {
            read.ReturnBuffers();
        }

        if (!stored)
        {
            return null;
        }

        cursor = new SpoolPosition(segment, read.End);
        SaveCheckpoint(cursor);
        if (sealedSegment && read.AtLimit)
        {
            cursor = new SpoolPosition(segment + 1, 0);
            SaveCheckpoint(cursor);
            DeleteDrained([segment], cursor);
        }

        return cursor;
    }

    /// <summary>
    /// Stores the records in runs of one signal and tenant (at most <see cref="SpoolOptions.DrainMaxItems"/> items and
    /// <see cref="SpoolOptions.DrainMaxBytes"/> bytes each); false if stopped before all were stored. Up to
    /// <see cref="SpoolOptions.DrainConcurrency"/> runs are decoded, encoded and inserted at once, but the checkpoint
    /// only moves past a run once it and every run before it are stored, so a crash replays, never skips. A run that
    /// ClickHouse refuses for good is split until the records it refuses are alone, and those go to the dead letters,
    /// so one poison export neither blocks the others nor takes them with it.
    /// </summary>
    private async Task<bool> StoreAsync(List<(SpoolRecord Record, long End)> records, long segment, CancellationToken stoppingToken)
    {
        var inFlight = new Queue<(Task<bool> Stored, long End)>();
        var stopped = false;
        Exception? failure = null;
        var start = 0;
        while (start < records.Count && !stopped)
        {
            var indices = NextRun(records, start);
            start = indices[^1] + 1;
            if (inFlight.Count >= _options.DrainConcurrency)
            {
                (stopped, failure) = await SettleOldestAsync(inFlight, segment, stopped, failure);
                if (stopped)
                {
                    break;
                }
            }

            // Task.Run: the decode and encode before the insert's first await are CPU work that should run beside the
            // other runs', not on this loop.
            inFlight.Enqueue((Task.Run(() => StoreRunAsync(records, indices, stoppingToken), CancellationToken.None), records[start - 1].End));
        }

        // Every started run is awaited, stopped or not: they read the slice's buffers, which the caller returns next.
        while (inFlight.Count > 0)
        {
            (stopped, failure) = await SettleOldestAsync(inFlight, segment, stopped, failure);
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return !stopped;
    }

    /// <summary>The next run from <paramref name="start"/>: one signal and tenant, within the item and byte bounds (at least one record).</summary>
    private List<int> NextRun(List<(SpoolRecord Record, long End)> records, int start)
    {
        var first = records[start].Record;
        var indices = new List<int> { start };
        long bytes = first.Payload.Length;
        for (var end = start + 1; end < records.Count && indices.Count < _options.DrainMaxItems; end++)
        {
            var record = records[end].Record;
            bytes += record.Payload.Length;
            if (record.Signal != first.Signal || record.Tenant != first.Tenant || bytes > _options.DrainMaxBytes)
            {
                break;
            }

            indices.Add(end);
        }

        return indices;
    }

    /// <summary>Waits for the oldest run in flight; moves the checkpoint past it only if it and all before it were stored.</summary>
    private async Task<(bool Stopped, Exception? Failure)> SettleOldestAsync(
        Queue<(Task<bool> Stored, long End)> inFlight, long segment, bool stopped, Exception? failure)
    {
        var (task, end) = inFlight.Dequeue();
        try
        {
            if (await task)
            {
                if (!stopped && failure is null)
                {
                    SaveCheckpoint(new SpoolPosition(segment, end));
                }

                return (stopped, failure);
            }

            return (true, failure);
        }
#pragma warning disable CA1031 // Kept and rethrown by StoreAsync once every run in flight has finished with the slice's buffers.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (true, failure ?? e);
        }
    }

    private async Task<bool> StoreRunAsync(List<(SpoolRecord Record, long End)> records, List<int> indices, CancellationToken stoppingToken)
    {
        var (outcome, rejection, run) = await WriteWithRetryAsync(records, indices, stoppingToken);
        using var stored = run;
        if (indices.Count == 0)
        {
            return true;
        }

        if (outcome == WriteOutcome.Stopping)
        {
            return false;
        }

        if (outcome == WriteOutcome.Stored)
        {
            Interlocked.Add(ref _itemsStored, run.Count);
        }
        else if (indices.Count == 1)
        {
            var record = records[indices[0]].Record;
            DeadLetter(Encode(record), Rejected, record.Signal.Name, record.Tenant, record.Service, rejection!.Message);
        }
        else
        {
            var half = indices.Count / 2;
            return await StoreRunAsync(records, indices[..half], stoppingToken) && await StoreRunAsync(records, indices[half..], stoppingToken);
        }

        foreach (var i in indices)
        {
            spool.ReportStored(records[i].Record);
        }

        return true;
    }

    /// <summary>
    /// Decodes the records into one run, with the checks of ingest (traces straight into storage's rows). A record that
    /// no longer decodes (it was valid when acknowledged, so this is damage or a defect) goes to the dead letters and
    /// leaves <paramref name="indices"/>; the run is then decoded again without it, so nothing of it is half stored.
    /// </summary>
    private DrainedRun Decode(List<(SpoolRecord Record, long End)> records, List<int> indices)
    {
        while (true)
        {
            var first = records[indices.Count == 0 ? 0 : indices[0]].Record;
            var batch = new DrainedRun(first.Signal, first.Tenant, spans);
            var malformed = -1;
            foreach (var i in indices)
            {
                var result = batch.Add(records[i].Record.Payload, records[i].Record.Json);
                if (result.IsMalformed)
                {
                    malformed = i;
                    DeadLetter(Encode(records[i].Record), Undecodable, first.Signal.Name, first.Tenant, records[i].Record.Service, "The spooled export no longer decodes: " + result.MalformedReason);
                    break;
                }
            }

            if (malformed < 0)
            {
                return batch;
            }

            batch.Dispose();
            indices.Remove(malformed);
            spool.ReportStored(records[malformed].Record);
        }
    }

    /// <summary>
    /// Decodes the run and stores it, retrying with backoff until stored, refused for good, or stopping; the caller
    /// disposes the run returned. Each retry decodes the run again, so its rows carry that attempt's <c>ingested_at</c>,
    /// as when every attempt was encoded anew: a replicated table drops a block identical to one it already took
    /// (insert deduplication), and then its materialized views (<c>trace_index</c>, <c>spans_by_trace</c>) would miss the
    /// rows of an earlier attempt that reached the table but not the views.
    /// </summary>
    private async Task<(WriteOutcome Outcome, StoreRejectedException? Rejection, DrainedRun Run)> WriteWithRetryAsync(
        List<(SpoolRecord Record, long End)> records, List<int> indices, CancellationToken stoppingToken)
    {
        var run = Decode(records, indices);
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (indices.Count == 0)
            {
                return (WriteOutcome.Stored, null, run);
            }

            try
            {
                await run.StoreAsync(logs, metrics, CancellationToken.None);
                if (attempt > 1)
                {
                    IngestLog.SpoolDrainResumed(logger, attempt - 1);
                }

                return (WriteOutcome.Stored, null, run);
            }
            catch (StoreRejectedException e)
            {
                return (WriteOutcome.Rejected, e, run);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (attempt == 1)
                {
                    IngestLog.SpoolDrainFailed(logger, spool.PendingBytes, e);
                }
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return (WriteOutcome.Stopping, null, run);
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            run.Dispose();
            run = Decode(records, indices);
        }
    }

    /// <summary>Throws <see cref="IOException"/> when the dead letter cannot be written: the record then stays in the spool.</summary>
    private void DeadLetter(ReadOnlySpan<byte> record, string kind, string signal, string tenant, string service, string error)
    {
        var letter = deadLetters.Add(record, kind, signal, tenant, service, error);
        IngestLog.DeadLettered(logger, kind, signal, tenant, record.Length, letter.Id);
    }

    private static byte[] Encode(SpoolRecord record)
    {
        var bytes = new byte[record.EncodedLength];
        record.WriteTo(bytes);
        return bytes;
    }

    private static long ReadBytes(SpoolOptions options) => Math.Max(BytesPerRead, options.DrainMaxBytes * options.DrainConcurrency * 2);

    /// <summary>Deletes segments the cursor has passed; one that cannot be deleted now (read-only disk) is tried again next time.</summary>
    private void DeleteDrained(List<long> segments, SpoolPosition cursor)
    {
        foreach (var seq in segments)
        {
            if (seq >= cursor.Seq || seq >= spool.Committed.Seq)
            {
                break;
            }

            try
            {
                spool.Delete(seq);
                _faults.Succeeded(DeleteAction);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _faults.Failed(DeleteAction, e);
                return;
            }
        }
    }

    private static async Task WaitAsync(Task waitForData, CancellationToken stoppingToken)
    {
        try
        {
            // Also wake up now and then: segments can appear or be sealed without a new commit signal.
            await waitForData.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private SpoolPosition LoadCheckpoint()
    {
        try
        {
            var parts = File.ReadAllText(CheckpointPath).Split(' ');
            return new SpoolPosition(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            // No checkpoint (or a damaged one): replay from the oldest segment; duplicates fold in ClickHouse.
            return new SpoolPosition(0, 0);
        }
    }

    /// <summary>
    /// Written by rename so it is whole or absent; with <see cref="SpoolFsync.Always"/> the file and the rename are
    /// synced. A checkpoint that cannot be written (disk full) is logged and tried again at the next step: losing it only
    /// means replaying more, and the drainer must not stop over it (a background service that threw stopped the host).
    /// </summary>
    private void SaveCheckpoint(SpoolPosition position)
    {
        Volatile.Write(ref _position, position);
        spool.ReportDrained(position);
        var temporary = CheckpointPath + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{position.Seq} {position.Offset}")));
                file.Flush(flushToDisk: _options.Fsync == SpoolFsync.Always);
            }

            File.Move(temporary, CheckpointPath, overwrite: true);
            if (_options.Fsync == SpoolFsync.Always)
            {
                DirectorySync.Sync(spool.Directory);
            }

            _faults.Succeeded(CheckpointAction);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _faults.Failed(CheckpointAction, e);
        }
    }
}
