using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Spans;

/// <summary>
/// Collects the span batches of concurrent exports and writes them to ClickHouse as one RowBinary insert once
/// <see cref="ClickHouseOptions.FlushMaxSpans"/> spans are waiting, <see cref="ClickHouseOptions.FlushInterval"/>
/// has passed since the first of them, or no export has arrived for <see cref="ClickHouseOptions.FlushLinger"/>.
/// Each export's <see cref="WriteAsync"/> completes when its insert has
/// succeeded, so receivers acknowledge only what ClickHouse holds (DESIGN.md: nothing accepted is lost).
/// </summary>
internal sealed class SpanBatchWriter : BackgroundService, ISpanSink
{
    private readonly Channel<PendingWrite> _queue;
    private readonly SpanInserter _inserter;
    private readonly ClickHouseOptions _options;
    private readonly TimeProvider _time;

    public SpanBatchWriter(SpanInserter inserter, IOptions<ClickHouseOptions> options, TimeProvider time)
    {
        _inserter = inserter;
        _options = options.Value;
        _time = time;

        // Bounded: when ClickHouse falls behind, exports wait here instead of piling up in memory.
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(_options.MaxPendingExports)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public async Task WriteAsync(SpanBatch batch, CancellationToken cancellationToken)
    {
        if (batch.SpanCount == 0)
        {
            return;
        }

        var pending = new PendingWrite(batch);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new SpanSinkUnavailableException("TaskLens is shutting down.", e);
        }

        // Not cancellable on purpose: once queued, the writer reads the caller's batch until it completes
        // the task, so the caller must not reuse the batch before then. Every queued write is completed.
        await pending.Done.Task;
    }

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

    private async Task CollectAsync(ChannelReader<PendingWrite> reader, List<PendingWrite> group, CancellationToken stoppingToken)
    {
        var spans = 0;
        var deadline = _time.GetTimestamp() + (long)(_options.FlushInterval.TotalSeconds * _time.TimestampFrequency);
        while (spans < _options.FlushMaxSpans)
        {
            while (spans < _options.FlushMaxSpans && reader.TryRead(out var item))
            {
                group.Add(item);
                spans += item.Batch.SpanCount;
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
        var batches = new SpanBatch[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            batches[i] = group[i].Batch;
        }

        return _inserter.InsertAsync(batches, cancellationToken);
    }

    private static void Complete(List<PendingWrite> group, Exception? failure)
    {
        var answer = failure is null ? null : SpanInserter.Answer(failure);
        foreach (var item in group)
        {
            if (answer is null)
            {
                item.Done.TrySetResult();
            }
            else
            {
                item.Done.TrySetException(answer);
            }
        }
    }

    private sealed class PendingWrite(SpanBatch batch)
    {
        public SpanBatch Batch { get; } = batch;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
