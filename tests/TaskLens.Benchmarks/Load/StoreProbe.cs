using System.Diagnostics;
using System.Globalization;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Tells when ClickHouse holds what was acknowledged: the rows of the spans table's active parts (metadata only) against
/// a running total of spans expected; exact distinct counts at the end. Each poll is a query the benchmark adds to
/// ClickHouse's work, not TaskLens's, so polls are paced by what is left (<see cref="NextDelay"/>): few while much is
/// left, closer together near the end.
/// </summary>
internal sealed class StoreProbe(ClickHouseClient clickHouse)
{
    /// <summary>The finest poll: the resolution of a phase's end.</summary>
    public static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>The coarsest poll of stored spans.</summary>
    public static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan RunsMinPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RunsMaxPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a phase may take to be stored before the run gives up: two minutes, or
    /// <c>TASKLENS_BENCH_STORE_TIMEOUT_S</c> seconds on a machine so loaded that the warm-up's drain takes longer (the
    /// figures are per span and are not changed by it; only whether a starved run finishes).
    /// </summary>
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("TASKLENS_BENCH_STORE_TIMEOUT_S"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 120);

    private ulong _expected;
    private int _queries;

    /// <summary>The queries this probe has sent to ClickHouse so far.</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>Adds <paramref name="spans"/> to the spans ClickHouse must eventually hold.</summary>
    public void Expect(ulong spans) => _expected += spans;

    /// <summary>Expects <paramref name="spans"/> more, then waits until the spans table holds every span expected.</summary>
    public async Task WaitForMoreAsync(ulong spans, TimeSpan? timeout = null)
    {
        _expected += spans;
        if (await PollAsync(RowsAsync, _expected, MinPoll, MaxPoll, timeout ?? StoreTimeout) < _expected)
        {
            throw new TimeoutException($"ClickHouse did not reach {_expected:N0} spans.");
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) for <paramref name="expected"/> goal runs; returns how many there are.</summary>
    public Task<ulong> WaitForRunsAsync(ulong expected, TimeSpan timeout) =>
        PollAsync(() => ScalarAsync("SELECT count() AS n FROM goal_runs FINAL"), expected, RunsMinPoll, RunsMaxPoll, timeout);

    /// <summary>The latest end of a stored goal run (whole seconds): the time detection buckets runs by.</summary>
    public async Task<DateTimeOffset> LastRunEndedAsync() =>
        DateTimeOffset.FromUnixTimeSeconds((long)await ScalarAsync("SELECT toUInt64(toUnixTimestamp(max(ended))) AS n FROM goal_runs"));

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

    /// <summary>
    /// The wait before the next poll: a quarter of the time what is left takes at the rate seen since the wait began,
    /// within [<paramref name="min"/>, <paramref name="max"/>]; before any progress, twice the last wait. Rows land an
    /// insert at a time, so the clock stops late by at most a quarter of the time the last insert's rows take at the
    /// phase's rate (~0.15 s at 34k spans/s and 20k-row inserts; the 500 ms cap under heavy machine load), half that on
    /// average: under 1% of a 30 s phase. Polling every 50 ms (and the goal runs every 250 ms) cost ClickHouse 0.7-1.1
    /// CPU-µs a span of <c>load-cpu</c>'s phase (docs/ingest.md, "What ClickHouse does per span").
    /// </summary>
    internal static TimeSpan NextDelay(ulong target, ulong first, ulong now, TimeSpan sinceFirst, TimeSpan last, TimeSpan min, TimeSpan max)
    {
        if (now <= first || sinceFirst <= TimeSpan.Zero)
        {
            return Clamp(last * 2, min, max);
        }

        var rate = (now - first) / sinceFirst.TotalSeconds;
        return Clamp(TimeSpan.FromSeconds(0.25 * (target - now) / rate), min, max);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static async Task<ulong> PollAsync(Func<Task<ulong>> read, ulong target, TimeSpan min, TimeSpan max, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var first = await read();
        var value = first;
        var delay = min / 2;
        while (value < target && clock.Elapsed < timeout)
        {
            delay = NextDelay(target, first, value, clock.Elapsed, delay, min, max);
            await Task.Delay(delay);
            value = await read();
        }

        return value;
    }

    private async Task<ulong> ScalarAsync(string sql)
    {
        Interlocked.Increment(ref _queries);
        return (await clickHouse.QueryAsync(sql, r => r.GetUInt64("n"), CancellationToken.None))[0];
    }
}
