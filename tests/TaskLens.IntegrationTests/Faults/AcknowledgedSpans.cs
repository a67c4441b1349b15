using System.Net;
using TaskLens.IntegrationTests.Ingest;
using TaskLens.Storage.ClickHouse;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Faults;

/// <summary>
/// Exports of one service with span ids never used twice, and which of them TaskLens acknowledged; at the end, every
/// acknowledged span must be in ClickHouse exactly once. Sends time out: an export that waits for ever is a failure.
/// All exports are of one trace, or each of a trace of its own (<paramref name="tracePerExport"/>: spread over shards).
/// </summary>
internal sealed class AcknowledgedSpans(string service, bool tracePerExport = false)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };
    private readonly Lock _gate = new();
    private readonly HashSet<ulong> _acknowledged = [];
    private long _nextSpanId = 1;
    private long _exports;

    public string Service => service;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _acknowledged.Count;
            }
        }
    }

    /// <summary>A new export of <paramref name="spans"/> spans, each with <paramref name="padding"/> bytes of name.</summary>
    public Export Next(int spans = 20, int padding = 200)
    {
        var ids = Enumerable.Range(0, spans).Select(_ => (ulong)Interlocked.Increment(ref _nextSpanId)).ToArray();
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var export = (ulong)Interlocked.Increment(ref _exports);
        byte[] traceId = [.. BitConverter.GetBytes(0xFA17UL), .. BitConverter.GetBytes((ulong)service.GetHashCode(StringComparison.Ordinal) ^ (tracePerExport ? export : 0))];
        var body = Otlp.Request(service, [.. ids.Select(id => (Action<ProtoBuilder>)(s => s
            .BytesField(1, traceId)
            .BytesField(2, BitConverter.GetBytes(id))
            .StringField(5, "step " + new string('p', padding))
            .Fixed64Field(7, now)
            .Fixed64Field(8, now + 1000)))]);
        return new Export(body, ids, Convert.ToHexStringLower(traceId));
    }

    /// <summary>Sends once; on 200 the export's spans count as acknowledged. A refusal must be retryable with a hint.</summary>
    public async Task<HttpStatusCode> SendAsync(Uri endpoint, Export export)
    {
        using var content = new ByteArrayContent(export.Body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        using var response = await Http.PostAsync(endpoint, content);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            lock (_gate)
            {
                _acknowledged.UnionWith(export.SpanIds);
            }
        }
        else
        {
            Assert.True(
                response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests,
                $"an export was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
        }

        return response.StatusCode;
    }

    /// <summary>Retries as an OTLP exporter does until the export is acknowledged (at most a minute).</summary>
    public async Task SendUntilAcknowledgedAsync(Uri endpoint, Export export)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await SendAsync(endpoint, export) != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "an export was never acknowledged");
            await Task.Delay(200);
        }
    }

    /// <summary>Every acknowledged span is in ClickHouse once, and no other span of this service is.</summary>
    public async Task AssertEachStoredOnceAsync(string clickHouseUrl, string database)
    {
        using var client = new ClickHouseClient(
            new HttpClient(ClickHouseClient.CreateHandler()),
            new ClickHouseOptions { Url = clickHouseUrl, Database = database },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ClickHouseClient>.Instance);
        var expected = (ulong)Count;
        var literal = ClickHouseSql.Literal(service);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        (ulong Distinct, ulong Final) counts;
        do
        {
            counts = (await client.QueryAsync(
                $"SELECT uniqExact(trace_id, span_id) AS d, (SELECT count() FROM spans FINAL WHERE service_name = {literal}) AS f FROM spans WHERE service_name = {literal}",
                r => (r.GetUInt64("d"), r.GetUInt64("f")),
                CancellationToken.None)).Single();
            if (counts == (expected, expected))
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(expected > 0);
        Assert.Equal((expected, expected), counts);
    }

    public sealed record Export(byte[] Body, ulong[] SpanIds, string TraceId);
}
