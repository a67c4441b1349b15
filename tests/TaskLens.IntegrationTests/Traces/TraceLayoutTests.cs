using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Core;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.Ingest.Otlp;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Goals;
using TaskLens.Storage.Schema;
using TaskLens.Storage.Spans;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Traces;

/// <summary>
/// Trace by id reads spans_by_trace (ordered by trace id) when it holds the whole trace, and spans otherwise; both give
/// exactly the same pages. The goal sweeper's span count reads spans_by_trace too. Spans go in as the drainer writes them: OTLP decoded into a batch, RowBinary into spans, whose
/// views fill the other tables.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class TraceLayoutTests(ClickHouseFixture clickHouse)
{
    private const int TraceSpans = 25;
    private static readonly byte[] Trace = Convert.FromHexString("0af7651916cd43dd8448eb211c80319c");
    private static readonly byte[] OtherTrace = Convert.FromHexString("4bf92f3577b34da6a3ce929d0e0e4736");

    [Fact]
    public async Task GetTrace_ByTraceLayoutAndSpansTable_SamePagesIncludingTruncation()
    {
        using var client = await MigratedAsync();
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        await StoreAsync(client, TraceExport(Trace, start, TraceSpans, "checkout"));
        await StoreAsync(client, TraceExport(OtherTrace, start, 10, "cart"));
        // A retried export stores the first spans twice; both layouts fold the copies.
        await StoreAsync(client, TraceExport(Trace, start, 5, "checkout"));
        var id = Id(Trace);

        await SetLayoutFromAsync(client, "2100-01-01 00:00:00");
        var fromSpans = await PagesAsync(client, id);
        await SetLayoutFromAsync(client, "1970-01-01 00:00:00");
        var fromByTrace = await PagesAsync(client, id);

        Assert.Equal(TraceSpans, JsonSerializer.Deserialize<List<JsonElement>>(fromSpans[0])!.Count);
        Assert.Equal(fromSpans, fromByTrace);

        // And it really reads spans_by_trace: with spans emptied, the trace is still there.
        await client.ExecuteAsync("TRUNCATE TABLE spans", CancellationToken.None);
        Assert.Equal(fromSpans, await PagesAsync(client, id));
    }

    [Fact]
    public async Task GetTrace_StoredBeforeTheLayoutExisted_ReadFromSpans()
    {
        using var client = await MigratedAsync();
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        await StoreAsync(client, TraceExport(Trace, start, TraceSpans, "checkout"));
        // As if stored before migration 13: spans_by_trace lacks it, and it is complete only from now.
        await client.ExecuteAsync("TRUNCATE TABLE spans_by_trace", CancellationToken.None);
        await SetLayoutFromAsync(client, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));

        var spans = await new TraceReader(client, TimeProvider.System).GetTraceAsync(Tenants.Default, Id(Trace), 0, 1000, CancellationToken.None);

        Assert.Equal(TraceSpans, spans.Count);
    }

    [Fact]
    public async Task GetTrace_LayoutCompleteFromTheStart_ReadsSpansByTraceInOneQuery()
    {
        using var client = await MigratedAsync();
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        await StoreAsync(client, TraceExport(Trace, start, TraceSpans, "checkout"));
        var reader = new TraceReader(client, TimeProvider.System);
        var whole = JsonSerializer.Serialize(await reader.GetTraceAsync(Tenants.Default, Id(Trace), 0, 1000, CancellationToken.None));

        // spans_by_trace answers, bounded in time by trace_index: with spans emptied, the trace and its count are unchanged.
        await client.ExecuteAsync("TRUNCATE TABLE spans", CancellationToken.None);

        Assert.Equal(whole, JsonSerializer.Serialize(await reader.GetTraceAsync(Tenants.Default, Id(Trace), 0, 1000, CancellationToken.None)));
        Assert.Equal(TraceSpans, await reader.CountSpansAsync(Tenants.Default, Id(Trace), CancellationToken.None));
        Assert.Empty(await reader.GetTraceAsync(Tenants.Default, Id(OtherTrace), 0, 1000, CancellationToken.None));
        Assert.Empty(await reader.GetTraceAsync("other-tenant", Id(Trace), 0, 1000, CancellationToken.None));

        // The time bounds come from trace_index inside that one query: without its row the trace is not found.
        await client.ExecuteAsync("TRUNCATE TABLE trace_index", CancellationToken.None);
        Assert.Empty(await reader.GetTraceAsync(Tenants.Default, Id(Trace), 0, 1000, CancellationToken.None));
    }

    [Fact]
    public async Task CountAsync_RetriedCopiesTwoTracesAndAnAbsentOne_DistinctSpansPerStoredTrace()
    {
        using var client = await MigratedAsync();
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        await StoreAsync(client, TraceExport(Trace, start, TraceSpans, "checkout"));
        await StoreAsync(client, TraceExport(Trace, start, 5, "checkout"));
        await StoreAsync(client, TraceExport(OtherTrace, start, 10, "cart"));
        var absent = Id(Convert.FromHexString("00000000000000000000000000000abc"));

        // What the goal sweeper asks before finalizing runs: schema step 111 moved it from trace_spans to spans_by_trace.
        await client.ExecuteAsync("TRUNCATE TABLE spans", CancellationToken.None);
        var counts = await new StoredSpanCounter(client).CountAsync(Tenants.Default, [Id(Trace), Id(OtherTrace), absent], CancellationToken.None);
        var otherTenant = await new StoredSpanCounter(client).CountAsync("other-tenant", [Id(Trace)], CancellationToken.None);

        Assert.Equal(2, counts.Count);
        Assert.Equal((ulong)TraceSpans, counts[Id(Trace)]);
        Assert.Equal(10UL, counts[Id(OtherTrace)]);
        Assert.Empty(otherTenant);
    }

    [Fact]
    public async Task Migrate_EmptySpans_LayoutCompleteFromTheStart()
    {
        using var client = await MigratedAsync();

        var from = await client.QueryAsync(
            "SELECT toUnixTimestamp(min(complete_from)) AS f FROM span_layouts WHERE layout = 'spans_by_trace'", r => r.GetInt64("f"), CancellationToken.None);

        Assert.Equal([0L], from);
    }

    private static TraceId Id(byte[] trace) =>
        TraceId.TryParse(Convert.ToHexString(trace).ToLowerInvariant(), out var id) ? id : throw new ArgumentException("not a trace id", nameof(trace));

    /// <summary>Pages of the trace as JSON, in the API's paging: limit + 1 asked, so the extra span says "truncated".</summary>
    private static async Task<List<string>> PagesAsync(ClickHouseClient client, TraceId id)
    {
        var reader = new TraceReader(client, TimeProvider.System);
        var pages = new List<string>();
        foreach (var (offset, limit) in new[] { (0, 1000), (0, 1), (0, 7), (7, 7), (21, 7), (24, 1), (25, 5), (3, 100) })
        {
            var spans = await reader.GetTraceAsync(Tenants.Default, id, offset, limit + 1, CancellationToken.None);
            var truncated = spans.Count > limit;
            pages.Add(JsonSerializer.Serialize(spans.Take(limit)) + (truncated ? " truncated" : string.Empty));
        }

        return pages;
    }

    private async Task<ClickHouseClient> MigratedAsync()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var client = clickHouse.CreateClient(database);
        var options = new ClickHouseOptions { Url = clickHouse.Url, Database = database };
        await new SchemaMigrator(client, Options.Create(options), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return client;
    }

    private static async Task SetLayoutFromAsync(ClickHouseClient client, string dateTime)
    {
        await client.ExecuteAsync("TRUNCATE TABLE span_layouts", CancellationToken.None);
        await client.ExecuteAsync($"INSERT INTO span_layouts (layout, complete_from) VALUES ('spans_by_trace', '{dateTime}')", CancellationToken.None);
    }

    private static async Task StoreAsync(ClickHouseClient client, byte[] export)
    {
        var batch = new SpanBatch();
        Assert.Equal(0, SpanBatchDecoder.Decode(export, batch).Rejected);
        using var rows = new RowBinaryWriter();
        SpanBatchRows.Encode(batch, rows, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var bytes = rows.WrittenMemory.ToArray();
        await client.InsertRowBinaryAsync(SpansTable.Name, SpansTable.Columns, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), CancellationToken.None);
    }

    /// <summary>
    /// A trace of <paramref name="spans"/> spans: every third pair shares a start time (so order falls to span id), with
    /// attributes, an event on the root and a link on span 2.
    /// </summary>
    private static byte[] TraceExport(byte[] trace, ulong start, int spans, string service) =>
        ProtoBuilder.Message(r => r.MessageField(1, rs =>
        {
            rs.MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, service))));
            rs.MessageField(2, ss =>
            {
                ss.MessageField(1, scope => scope.StringField(1, "layout-test").StringField(2, "1.0"));
                for (var i = 0; i < spans; i++)
                {
                    var n = i;
                    ss.MessageField(2, s =>
                    {
                        s.BytesField(1, trace).BytesField(2, Otlp.SpanId((byte)(200 - n)));
                        if (n > 0)
                        {
                            s.BytesField(4, Otlp.SpanId(200));
                        }

                        var at = start + ((ulong)(n - (n % 3 == 2 ? 1 : 0)) * 1_000_000);
                        s.StringField(5, "op-" + n.ToString(CultureInfo.InvariantCulture)).VarintField(6, 2)
                            .Fixed64Field(7, at).Fixed64Field(8, at + 500_000)
                            .MessageField(9, Otlp.Attribute("n", v => v.VarintField(3, (ulong)n)));
                        if (n == 0)
                        {
                            s.MessageField(11, e => e.Fixed64Field(1, at + 1).StringField(2, "started"));
                        }

                        if (n == 2)
                        {
                            s.MessageField(13, l => l.BytesField(1, OtherTrace).BytesField(2, Otlp.SpanId(9)));
                        }
                    });
                }
            });
        }));
}
