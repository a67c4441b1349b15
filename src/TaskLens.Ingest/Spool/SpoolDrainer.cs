using System.Globalization;
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
    ISpanSink spans,
    ILogSink logs,
    IMetricSink metrics,
    SpanBatchPool pool,
    IOptions<SpoolOptions> options,
    ILogger<SpoolDrainer> logger) : BackgroundService
{
    private const int RecordsPerRead = 2048;

    /// <summary>Bounds the memory one read holds: records stay in memory until their insert succeeds.</summary>
    private const long BytesPerRead = 32L * 1024 * 1024;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly SpoolOptions _options = options.Value;

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

    private string CheckpointPath => Path.Combine(spool.Directory, "checkpoint");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cursor = LoadCheckpoint();
        while (!stoppingToken.IsCancellationRequested)
        {
            var waitForData = spool.WaitForDataAsync();
            var committed = spool.Committed;
            var segment = spool.ListSegments().FirstOrDefault(seq => seq >= cursor.Seq);
            if (segment == 0)
            {
                // Nothing on disk beyond the cursor: caught up with whatever is committed.
                Volatile.Write(ref _position, committed);
                await WaitAsync(waitForData, stoppingToken);
                continue;
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
                continue;
            }

            var read = SpoolSegmentReader.Read(spool.SegmentPath(segment), cursor.Offset, limit, RecordsPerRead, BytesPerRead);
            if (read.SkippedBytes > 0)
            {
                IngestLog.SpoolCorruption(logger, read.SkippedBytes, spool.SegmentPath(segment));
            }

            bool stored;
            try
            {
                stored = await StoreAsync(read.Records, segment, stoppingToken);
            }
            finally
            {
                read.ReturnBuffers();
            }

            if (!stored)
            {
                return; // Stopping: the records stay in the spool for the next run.
            }

            cursor = new SpoolPosition(segment, read.End);
            SaveCheckpoint(cursor);
            if (sealedSegment && read.AtLimit)
            {
                spool.Delete(segment);
                cursor = new SpoolPosition(segment + 1, 0);
                SaveCheckpoint(cursor);
            }
        }
    }

    /// <summary>Stores the records in runs of one signal and tenant; false if stopped before all were stored.</summary>
    private async Task<bool> StoreAsync(List<(SpoolRecord Record, long End)> records, long segment, CancellationToken stoppingToken)
    {
        var start = 0;
        while (start < records.Count)
        {
            var first = records[start].Record;
            var end = start;
            using var run = new SignalBatch(first.Signal, first.Tenant, pool);
            while (end < records.Count && records[end].Record.Signal == first.Signal && records[end].Record.Tenant == first.Tenant && run.Count < _options.DrainMaxItems)
            {
                run.Add(records[end].Record.Payload, records[end].Record.Json); // decoded exactly as at ingest
                end++;
            }

            if (!await WriteWithRetryAsync(run, stoppingToken))
            {
                return false;
            }

            Interlocked.Add(ref _itemsStored, run.Count);
            for (var i = start; i < end; i++)
            {
                spool.ReportStored(records[i].Record);
            }

            SaveCheckpoint(new SpoolPosition(segment, records[end - 1].End));
            start = end;
        }

        return true;
    }

    private async Task<bool> WriteWithRetryAsync(SignalBatch run, CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await run.WriteAsync(spans, logs, metrics, CancellationToken.None);
                if (attempt > 1)
                {
                    IngestLog.SpoolDrainResumed(logger, attempt - 1);
                }

                return true;
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
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
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

    /// <summary>Written by rename so it is whole or absent; not fsynced, as losing it only means replaying more.</summary>
    private void SaveCheckpoint(SpoolPosition position)
    {
        Volatile.Write(ref _position, position);
        spool.ReportDrained(position);
        var temporary = CheckpointPath + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{position.Seq} {position.Offset}"));
        File.Move(temporary, CheckpointPath, overwrite: true);
    }
}
