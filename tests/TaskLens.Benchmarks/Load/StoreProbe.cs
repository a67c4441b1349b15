using System.Diagnostics;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Tells when ClickHouse holds what was acknowledged: the rows of the spans table's active parts (metadata only, so
/// polling it costs ClickHouse next to nothing) against a running total of spans expected; exact distinct counts at the
/// end.
/// </summary>
internal sealed class StoreProbe(ClickHouseClient clickHouse)
{
    private ulong _expected;

    /// <summary>Adds <paramref name="spans"/> to the spans ClickHouse must eventually hold.</summary>
    public void Expect(ulong spans) => _expected += spans;

    /// <summary>Expects <paramref name="spans"/> more, then waits until the spans table holds every span expected.</summary>
    public async Task WaitForMoreAsync(ulong spans, TimeSpan? timeout = null)
    {
        _expected += spans;
        var clock = Stopwatch.StartNew();
        while (await RowsAsync() < _expected)
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException($"ClickHouse did not reach {_expected:N0} spans.");
            }

            // Not tighter: each poll is an HTTP query, and at 10 ms they cost ClickHouse ~1 CPU-µs a span of the phase
            // (issue 20's profile); 50 ms is under 0.2% of a phase's time.
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) for <paramref name="expected"/> goal runs; returns how many there are.</summary>
    public async Task<ulong> WaitForRunsAsync(ulong expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        ulong runs;
        while ((runs = await ScalarAsync("SELECT count() AS n FROM goal_runs FINAL")) < expected && clock.Elapsed < timeout)
        {
            await Task.Delay(250);
        }

        return runs;
    }

    /// <summary>Distinct (trace id, span id) pairs stored where <paramref name="condition"/> holds: what survives retries and replays.</summary>
    public Task<ulong> DistinctSpansAsync(string condition) =>
        ScalarAsync($"SELECT uniqExact(trace_id, span_id) AS n FROM spans WHERE {condition}");

    /// <summary>
    /// Distinct spans where <paramref name="condition"/> holds, once they reach <paramref name="expected"/> or
    /// <paramref name="timeout"/> has passed. The row count <see cref="WaitForMoreAsync"/> waits for includes the
    /// duplicates of exports a client retried after a slow acknowledgement, so it can be reached before the drainer
    /// has stored every distinct span: counting at once then read as lost spans that were still in the spool.
    /// </summary>
    public async Task<ulong> WaitForDistinctAsync(string condition, ulong expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        ulong distinct;
        while ((distinct = await DistinctSpansAsync(condition)) < expected && clock.Elapsed < timeout)
        {
            await Task.Delay(500);
        }

        return distinct;
    }

    /// <summary>The spans table's rows now (active parts; a retried export stored twice counts twice).</summary>
    public Task<ulong> RowsAsync() =>
        ScalarAsync("SELECT sum(rows) AS n FROM system.parts WHERE database = currentDatabase() AND table = 'spans' AND active");

    private async Task<ulong> ScalarAsync(string sql) =>
        (await clickHouse.QueryAsync(sql, r => r.GetUInt64("n"), CancellationToken.None))[0];
}
