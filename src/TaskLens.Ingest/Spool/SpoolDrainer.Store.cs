using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Spool;

/// <summary>Writing a decoded run with retries, and the records ClickHouse refuses for good set aside as dead letters.</summary>
internal sealed partial class SpoolDrainer
{
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
}
