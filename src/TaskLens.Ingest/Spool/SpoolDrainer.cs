using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Receivers;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Replays the spool into ClickHouse, oldest record first: on start-up (what an earlier run acknowledged but had
/// not stored), continuously while exports arrive, and after a ClickHouse outage, retrying the same records with
/// backoff until they are stored. Consecutive records of one signal and tenant go in one insert. Progress is kept in
/// a checkpoint file; a replay that repeats records after a crash is folded by the tables' identity keys.
/// </summary>
internal sealed partial class SpoolDrainer(
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
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly SpoolOptions _options = options.Value;

    /// <summary>
    /// The read blocks, kept between reads up to what the reads in flight hold (<see cref="ReadBlocksKept"/>): in the
    /// shared pool, whose bound also serves the request bodies, a 48 MiB read found at most 32 MiB of blocks and
    /// allocated the rest on the large-object heap each time — with the bodies it evicted, most of the allocations that
    /// set off gen-2 collections under load (docs/ingest.md, memory).
    /// </summary>
    private readonly IngestBufferPool _readBlocks = new(ReadBlocksKept(options.Value));
    private readonly DrainerFaults _faults = new(logger);

    private long _itemsStored;
    private long _peakBytesHeld;
    private SpoolPosition _position = new(0, 0);
    private TimeSpan _retryDelay = FirstRetryDelay;

    /// <summary>Items (spans, log records, points) stored since start; for tests and the benchmark.</summary>
    public long ItemsStored => Interlocked.Read(ref _itemsStored);

    /// <summary>The most bytes of spooled records held at once since start (<see cref="SpoolOptions.DrainBufferBytes"/>); for tests.</summary>
    public long PeakBytesHeld => Interlocked.Read(ref _peakBytesHeld);

    /// <summary>The spool position everything before which is stored (and handed to the span sinks): the checkpoint's.</summary>
    public SpoolPosition Stored => Volatile.Read(ref _position);

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cursor = LoadCheckpoint();
        Volatile.Write(ref _position, cursor);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(cursor, stoppingToken);
                return; // Stopping: the records not stored stay in the spool for the next run.
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A disk that cannot be read, or dead letters that cannot be written: nothing has been given up, so
                // the records not yet stored are read again after a pause (from what was stored, so those are not
                // counted twice). A background service that threw would stop the host.
                _faults.Failed(DrainAction, e);
                var stored = Volatile.Read(ref _position);
                if (stored.Seq > cursor.Seq || (stored.Seq == cursor.Seq && stored.Offset > cursor.Offset))
                {
                    cursor = stored;
                }

                try
                {
                    await Task.Delay(_retryDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Reads the spool from <paramref name="cursor"/> a run's worth at a time (<see cref="SpoolOptions.DrainMaxBytes"/>)
    /// and stores it, until stopping. Up to <see cref="SpoolOptions.DrainConcurrency"/> runs are decoded, encoded and
    /// inserted at once; the next read is taken as soon as a run is in and the records held stay within
    /// <see cref="SpoolOptions.DrainBufferBytes"/>, so the inserts keep overlapping across reads (a read of every
    /// insert in flight twice over, held until its last insert was stored, held 48 MiB and let the inserts run down at
    /// its end). The checkpoint only moves past a run once it and every run before it are stored, so a crash replays,
    /// never skips. A run that ClickHouse refuses for good is split until the records it refuses are alone, and those
    /// go to the dead letters, so one poison export neither blocks the others nor takes them with it.
    /// </summary>
    private async Task DrainAsync(SpoolPosition cursor, CancellationToken stoppingToken)
    {
        var slices = new Queue<DrainSlice>();
        var inFlight = new Queue<(Task<bool> Stored, DrainSlice Slice, long End)>();
        DrainSlice? newest = null;
        long held = 0;
        var stopped = false;
        Exception? failure = null;
        try
        {
            while (!stopped && failure is null && !stoppingToken.IsCancellationRequested)
            {
                if (newest is { HasRecordsToStart: true } && inFlight.Count < _options.DrainConcurrency)
                {
                    StartRun(newest, inFlight, stoppingToken);
                    continue;
                }

                // A read takes what room the bound leaves, at most a run's worth, and waits for half a run's worth of
                // room so inserts do not shrink to a few exports each. A read's bound may end inside a record, which it
                // takes whole, so the bytes held can pass the bound by one export a read.
                var room = _options.DrainBufferBound - held;
                if (newest is not { HasRecordsToStart: true } && inFlight.Count < _options.DrainConcurrency
                    && (held == 0 || room >= Math.Min(_options.DrainMaxBytes, _options.DrainBufferBound) / 2))
                {
                    var readBytes = held == 0 ? _options.DrainMaxBytes : Math.Min(_options.DrainMaxBytes, room);

                    // With an insert already running, a second one starts only with a full read's worth waiting: started
                    // with whatever came in since the last read, both inserts stay small, and every insert is a part in
                    // each table that ClickHouse merges again. Until then the drainer waits for that much or for the
                    // insert in flight, whichever comes first.
                    if (inFlight.Count > 0)
                    {
                        var moreData = spool.WaitForDataAsync();
                        if (Backlog(cursor) < readBytes)
                        {
                            var oldest = inFlight.Peek().Stored;
                            await WaitAsync(Task.WhenAny(oldest, moreData), stoppingToken);
                            if (!oldest.IsCompleted)
                            {
                                continue;
                            }

                            (stopped, failure) = await SettleOldestAsync(inFlight, stopped, failure);
                            if (!stopped && failure is null)
                            {
                                held -= ReleaseDone(slices);
                                Succeeded();
                            }

                            continue;
                        }
                    }

                    var (slice, next, waitForData) = ReadSlice(cursor, readBytes, caughtUp: inFlight.Count == 0 && slices.Count == 0);
                    if (slice is not null)
                    {
                        cursor = next;
                        slices.Enqueue(slice);
                        newest = slice;
                        held += slice.Bytes;
                        if (held > _peakBytesHeld)
                        {
                            Interlocked.Exchange(ref _peakBytesHeld, held);
                        }

                        held -= ReleaseDone(slices);
                        Succeeded();
                        continue;
                    }

                    if (inFlight.Count == 0)
                    {
                        cursor = next;
                        await WaitAsync(waitForData, stoppingToken);
                        continue;
                    }
                }

                (stopped, failure) = await SettleOldestAsync(inFlight, stopped, failure);
                if (!stopped && failure is null)
                {
                    held -= ReleaseDone(slices);
                    Succeeded();
                }
            }
        }
        finally
        {
            // Every started run is awaited, stopped or not: they read the slices' buffers, which are given back next.
            while (inFlight.Count > 0)
            {
                (stopped, failure) = await SettleOldestAsync(inFlight, stopped, failure);
            }

            foreach (var slice in slices)
            {
                slice.Read.ReturnBuffers();
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Spooled bytes committed past <paramref name="cursor"/>, at least: a later segment counts as a full run's worth.
    /// </summary>
    private long Backlog(SpoolPosition cursor)
    {
        var committed = spool.Committed;
        return committed.Seq > cursor.Seq ? long.MaxValue : committed.Offset - cursor.Offset;
    }

    /// <summary>
    /// Reads the next slice (about <paramref name="maxBytes"/>) of the oldest segment with records from <paramref name="cursor"/>: null (with where to wait
    /// from) when there is nothing to read yet. <paramref name="caughtUp"/>: nothing is read and unstored, so with
    /// nothing on disk beyond the cursor everything committed is stored.
    /// </summary>
    private (DrainSlice? Slice, SpoolPosition Next, Task WaitForData) ReadSlice(SpoolPosition cursor, long maxBytes, bool caughtUp)
    {
        var waitForData = spool.WaitForDataAsync();
        var committed = spool.Committed;
        var segments = spool.ListSegments();

        // Only what is stored may go: a segment the reads have passed may still have runs in flight.
        DeleteDrained(segments, Volatile.Read(ref _position));
        var segment = segments.FirstOrDefault(seq => seq >= cursor.Seq);
        if (segment == 0)
        {
            if (caughtUp)
            {
                Volatile.Write(ref _position, committed);
            }

            return (null, cursor, waitForData);
        }

        if (segment > cursor.Seq)
        {
            cursor = new SpoolPosition(segment, 0);
        }

        var sealedSegment = segment < committed.Seq;
        var limit = sealedSegment ? long.MaxValue : committed.Offset;
        if (cursor.Offset >= limit)
        {
            return (null, cursor, waitForData);
        }

        var read = SpoolSegmentReader.Read(spool.SegmentPath(segment), cursor.Offset, limit, RecordsPerRead, maxBytes, blockPool: _readBlocks);
        try
        {
            if (read.SkippedBytes > 0)
            {
                IngestLog.SpoolCorruption(logger, read.SkippedBytes, spool.SegmentPath(segment));
            }

            foreach (var raw in read.Undecodable)
            {
                DeadLetter(raw, Undecodable, string.Empty, string.Empty, string.Empty, "The record's checksum holds but it is not a spool record this version of TaskLens reads.");
            }
        }
        catch
        {
            read.ReturnBuffers();
            throw;
        }

        var completes = sealedSegment && read.AtLimit;
        var slice = new DrainSlice(read, segment, cursor.Offset, completes);
        return (slice, completes ? new SpoolPosition(segment + 1, 0) : new SpoolPosition(segment, read.End), waitForData);
    }

    /// <summary>Starts the slice's next run on the thread pool.</summary>
    private void StartRun(DrainSlice slice, Queue<(Task<bool> Stored, DrainSlice Slice, long End)> inFlight, CancellationToken stoppingToken)
    {
        var records = slice.Read.Records;
        var indices = NextRun(records, slice.NextRecord);
        slice.NextRecord = indices[^1] + 1;
        slice.Unsettled++;

        // Task.Run: the decode and encode before the insert's first await are CPU work that should run beside the
        // other runs', not on this loop.
        inFlight.Enqueue((Task.Run(() => StoreRunAsync(records, indices, stoppingToken), CancellationToken.None), slice, records[slice.NextRecord - 1].End));
    }

    /// <summary>
    /// Gives back the buffers of the oldest slices whose runs are all stored and moves the checkpoint past them (and
    /// past a segment they complete, which is then deleted); the bytes let go.
    /// </summary>
    private long ReleaseDone(Queue<DrainSlice> slices)
    {
        long released = 0;
        while (slices.TryPeek(out var oldest) && oldest.IsDone)
        {
            slices.Dequeue();
            released += oldest.Bytes;
            oldest.Read.ReturnBuffers();
            var end = new SpoolPosition(oldest.Segment, oldest.Read.End);
            if (Volatile.Read(ref _position) != end)
            {
                SaveCheckpoint(end);
            }

            if (oldest.CompletesSegment)
            {
                var next = new SpoolPosition(oldest.Segment + 1, 0);
                SaveCheckpoint(next);
                DeleteDrained([oldest.Segment], next);
            }
        }

        return released;
    }

    private void Succeeded()
    {
        _faults.Succeeded(DrainAction);
        _retryDelay = FirstRetryDelay;
    }

    /// <summary>
    /// The next run from <paramref name="start"/>: one signal and tenant, within the item and byte bounds (at least one
    /// record). The slice's last record joins the run even past the byte bound: the read took it whole across that same
    /// bound, and left alone it would be an insert of one export (a part in every table for ClickHouse to merge).
    /// </summary>
    private List<int> NextRun(List<(SpoolRecord Record, long End)> records, int start)
    {
        var first = records[start].Record;
        var indices = new List<int> { start };
        long bytes = first.Payload.Length;
        for (var end = start + 1; end < records.Count && indices.Count < _options.DrainMaxItems; end++)
        {
            var record = records[end].Record;
            bytes += record.Payload.Length;
            if (record.Signal != first.Signal || record.Tenant != first.Tenant
                || (bytes > _options.DrainMaxBytes && end < records.Count - 1))
            {
                break;
            }

            indices.Add(end);
        }

        return indices;
    }

    /// <summary>Waits for the oldest run in flight; moves the checkpoint past it only if it and all before it were stored.</summary>
    private async Task<(bool Stopped, Exception? Failure)> SettleOldestAsync(
        Queue<(Task<bool> Stored, DrainSlice Slice, long End)> inFlight, bool stopped, Exception? failure)
    {
        var (task, slice, end) = inFlight.Dequeue();
        try
        {
            if (await task)
            {
                if (!stopped && failure is null)
                {
                    SaveCheckpoint(new SpoolPosition(slice.Segment, end));
                }

                return (stopped, failure);
            }

            return (true, failure);
        }
#pragma warning disable CA1031 // Kept and rethrown by DrainAsync once every run in flight has finished with the slices' buffers.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (true, failure ?? e);
        }
        finally
        {
            slice.Unsettled--;
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
    /// What the read-block pool keeps: the records held (<see cref="SpoolOptions.DrainBufferBound"/>) plus a block for
    /// each slice that can be held at once (the runs in flight and the one read next), as a slice's last block is
    /// whole however little of it is read.
    /// </summary>
    internal static long ReadBlocksKept(SpoolOptions options) =>
        options.DrainBufferBound + ((options.DrainConcurrency + 1L) * SpoolSegmentReader.BlockBytes);

    /// <summary>
    /// Until records are committed, the drainer stops or a second passes — also woken now and then, as segments can
    /// appear or be sealed without a new commit signal. Awaited without throwing: the timeout is the common way out of
    /// an idle wait, and a <see cref="TimeoutException"/> thrown each idle second was what the load run's runtime
    /// counters showed as ~30 untraced exceptions a run. The caller's loop sees the stop on its token.
    /// </summary>
    private static async Task WaitAsync(Task waitForData, CancellationToken stoppingToken) =>
        await waitForData.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
