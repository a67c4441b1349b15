using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Core.Traces;
using TaskLens.Server.Api;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;

namespace TaskLens.Benchmarks.Traces;

/// <summary>
/// Where the time of one trace lookup goes: TaskLens's own <see cref="TraceReader"/> and answer writer run in this
/// process against the same ClickHouse, with every query recorded (how many one lookup makes) and run again for
/// ClickHouse's own elapsed time, rows and bytes read. The HTTP figure minus these is routing, sign-in and transport.
/// </summary>
internal sealed class TraceLookupBreakdown : IDisposable
{
    private readonly ClickHouseQueryRecorder _recorder;
    private readonly ClickHouseClient _client;
    private readonly TraceReader _reader;
    private readonly HttpClient _stats = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Uri _clickHouse;

    public TraceLookupBreakdown(string work, int clickHousePort)
    {
        _clickHouse = new Uri($"http://127.0.0.1:{clickHousePort}/");
        Password = File.ReadAllText(Path.Combine(work, ".tasklens", "clickhouse", "password"));
        _recorder = new ClickHouseQueryRecorder(ClickHouseClient.CreateHandler());
        _client = new ClickHouseClient(
            new HttpClient(_recorder) { Timeout = TimeSpan.FromMinutes(2) },
            new ClickHouseOptions { Url = _clickHouse.ToString(), Database = "tasklens", Password = Password, RequestTimeout = TimeSpan.FromMinutes(2) },
            NullLogger<ClickHouseClient>.Instance);
        _reader = new TraceReader(_client, TimeProvider.System);
    }

    public List<Sample> Samples { get; } = [];

    /// <summary>The embedded ClickHouse's password, for the benchmark's own requests.</summary>
    public string Password { get; }

    /// <summary>One lookup of <paramref name="traceId"/> as the API makes it, taken apart; kept unless it is a warm-up.</summary>
    public async Task MeasureAsync(string traceId, int expectedSpans, bool keep)
    {
        _recorder.Take();
        var id = TraceId.TryParse(traceId, out var parsed) ? parsed : throw new InvalidOperationException($"bad id {traceId}");
        var watch = Stopwatch.StartNew();
        var spans = await _reader.GetTraceAsync("default", id, 0, TraceApiLimit + 1, CancellationToken.None);
        var readMs = watch.Elapsed.TotalMilliseconds;
        var queries = _recorder.Take();
        if (spans.Count != expectedSpans)
        {
            throw new InvalidOperationException($"the reader gave {spans.Count} spans of trace {traceId}, not {expectedSpans}");
        }

        watch.Restart();
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            TraceJson.WriteTrace(json, traceId, spans, 0, truncated: false);
        }

        var jsonMs = watch.Elapsed.TotalMilliseconds;
        double clickHouseMs = 0;
        ulong rows = 0, bytes = 0;
        var lookups = 0;
        foreach (var sql in queries)
        {
            // The layout's start is read once a minute, not per lookup: counted, but not as part of this lookup's reads.
            if (sql.Contains("span_layouts", StringComparison.Ordinal))
            {
                continue;
            }

            lookups++;
            var stats = await TraceQueryStats.MeasureAsync(_stats, _clickHouse, Password, sql);
            clickHouseMs += stats.ElapsedMs;
            rows += stats.RowsRead;
            bytes += stats.BytesRead;
        }

        if (keep)
        {
            Samples.Add(new Sample(readMs, jsonMs, lookups, clickHouseMs, rows, bytes, buffer.WrittenCount));
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _stats.Dispose();
    }

    private const int TraceApiLimit = 1_000;

    /// <param name="ReadMs">TraceReader.GetTraceAsync: its queries' round trips and the rows read into spans.</param>
    /// <param name="JsonMs">The answer written by the API's own writer.</param>
    /// <param name="Queries">Queries the lookup made (the layout's start, cached for a minute, not counted).</param>
    /// <param name="ClickHouseMs">ClickHouse's own elapsed time for those queries, run again right after (warm).</param>
    internal sealed record Sample(double ReadMs, double JsonMs, int Queries, double ClickHouseMs, ulong RowsRead, ulong BytesRead, int AnswerBytes);
}
