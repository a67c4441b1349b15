using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Spans;

/// <summary>
/// The spool-off path's span sink (<see cref="SpanSinkKeys.Stored"/>): each export's spans are written into RowBinary
/// rows as they are decoded (a run of <see cref="SpanInserter"/>'s, the drainer's row writer), and the runs of
/// concurrent exports go to ClickHouse as one insert once <see cref="ClickHouseOptions.FlushMaxSpans"/> spans are
/// waiting, <see cref="ClickHouseOptions.FlushInterval"/> has passed since the first of them, or no export has arrived
/// for <see cref="ClickHouseOptions.FlushLinger"/>. Each run's <see cref="ISpanRowRun.StoreAsync"/> completes when its
/// insert has succeeded, so receivers acknowledge only what ClickHouse holds (DESIGN.md: nothing accepted is lost).
/// </summary>
internal sealed class SpanBatchWriter : BackgroundService, ISpanRowSink
{
    private readonly Channel<PendingWrite> _queue;
    private readonly SpanInserter _inserter;
    private readonly ClickHouseOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<RowBinaryWriter, int, CancellationToken, Task<Exception?>> _enqueue;

    public SpanBatchWriter(SpanInserter inserter, IOptions<ClickHouseOptions> options, TimeProvider time)
    {
        _inserter = inserter;
        _options = options.Value;
        _time = time;
        _enqueue = EnqueueAsync;

        // Bounded: when ClickHouse falls behind, exports wait here instead of piling up in memory.
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(_options.MaxPendingExports)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public ISpanRowRun Begin(string tenant) => _inserter.Begin(tenant, _enqueue);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var group = new List<PendingWrite>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await CollectAsync(reader, group, stoppingToken);
                await FlushAsync(group, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is already queued so those exports are acknowledged, not lost.
            _queue.Writer.TryComplete();
            while (reader.TryRead(out var item))
            {
                group.Add(item);
            }

            await FlushAsync(group, CancellationToken.None);
        }
    }

    /// <summary>Queues a run's rows for the next grouped insert: its failure, or null once ClickHouse holds them.</summary>
    private async Task<Exception?> EnqueueAsync(RowBinaryWriter rows, int spanCount, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite(rows, spanCount);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new SpanSinkUnavailableException("TaskLens is shutting down.", e);
        }

        // Not cancellable on purpose: once queued, the writer reads the run's rows until it completes the task, so the
        // caller must not dispose the run before then. Every queued write is completed.
        return await pending.Done.Task;
    }

    private async Task CollectAsync(ChannelReader<PendingWrite> reader, List<PendingWrite> group, CancellationToken stoppingToken)
    {
        var spans = 0;
        var deadline = _time.GetTimestamp() + (long)(_options.FlushInterval.TotalSeconds * _time.TimestampFrequency);
        while (spans < _options.FlushMaxSpans)
        {
            while (spans < _options.FlushMaxSpans && reader.TryRead(out var item))
            {
                group.Add(item);
                spans += item.SpanCount;
            }

            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (spans >= _options.FlushMaxSpans || remaining <= TimeSpan.Zero)
            {
                return;
            }

            // Wait for more only while exports keep coming: a pause longer than the linger ends the batch.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(remaining < _options.FlushLinger ? remaining : _options.FlushLinger);
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task FlushAsync(List<PendingWrite> group, CancellationToken cancellationToken)
    {
        if (group.Count == 0)
        {
            return;
        }

        try
        {
            var failure = await InsertAsync(group, cancellationToken);
            if (failure is ClickHouseException { IsPermanent: true } && group.Count > 1)
            {
                // ClickHouse refused the rows themselves: find whose, one export at a time, so the others are stored
                // and only the export at fault is told so.
                foreach (var item in group)
                {
                    Complete([item], await InsertAsync([item], cancellationToken));
                }
            }
            else
            {
                Complete(group, failure);
            }
        }
        finally
        {
            group.Clear();
        }
    }

    private Task<Exception?> InsertAsync(List<PendingWrite> group, CancellationToken cancellationToken)
    {
        var runs = new RowBinaryWriter[group.Count];
        var spans = 0;
        for (var i = 0; i < group.Count; i++)
        {
            runs[i] = group[i].Rows;
            spans += group[i].SpanCount;
        }

        return _inserter.InsertRowsAsync(runs, spans, cancellationToken);
    }

    /// <summary>Each run's caller gets the failure (the run throws <see cref="SpanInserter.Answer"/> of it), or null.</summary>
    private static void Complete(List<PendingWrite> group, Exception? failure)
    {
        foreach (var item in group)
        {
            item.Done.TrySetResult(failure);
        }
    }

    private sealed class PendingWrite(RowBinaryWriter rows, int spanCount)
    {
        public RowBinaryWriter Rows { get; } = rows;

        public int SpanCount { get; } = spanCount;

        public TaskCompletionSource<Exception?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
