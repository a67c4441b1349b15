using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Core.Incidents;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.Ingest.Otlp;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Schema;
using TaskLens.Storage.Spans;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Traces;

/// <summary>
/// The calls correlation starts from after a restart are read per tenant: the trace reader's link query and the link
/// cache that uses it never bring back another tenant's calls.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ServiceLinkReadTests(ClickHouseFixture clickHouse)
{
    private const string Acme = "acme";
    private const string Globex = "globex";

    [Fact]
    public async Task ServiceLinksAsync_TwoTenantsCalls_OnlyTheTenantsOwn()
    {
        using var client = await StoredAsync();
        var reader = new TraceReader(client, TimeProvider.System);

        var acme = await reader.ServiceLinksAsync(Acme, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);
        var globex = await reader.ServiceLinksAsync(Globex, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);
        var nobody = await reader.ServiceLinksAsync("initech", DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);

        Assert.Equal([new ServiceLink(Acme, "checkout", "payments", 1)], acme);
        Assert.Equal([new ServiceLink(Globex, "cart", "inventory", 1)], globex);
        Assert.Empty(nobody);
    }

    [Fact]
    public async Task LoadAsync_OneTenant_LearnsThatTenantsCallsOnly()
    {
        using var client = await StoredAsync();
        var cache = new ServiceLinkCache(new TraceReader(client, TimeProvider.System), new IncidentOptions(), TimeProvider.System, NullLogger<ServiceLinkCache>.Instance);

        await cache.LoadAsync(Acme, CancellationToken.None);

        Assert.Equal([new ServiceLink(Acme, "checkout", "payments", 1)], cache.Current.Select(l => l.Link));
        Assert.True(cache.Linked(Acme, "checkout", "payments"));
        Assert.False(cache.Linked(Globex, "cart", "inventory"));

        // Read once per tenant: a second load of acme adds nothing; globex's calls arrive with its own load.
        await cache.LoadAsync(Acme, CancellationToken.None);
        await cache.LoadAsync(Globex, CancellationToken.None);
        Assert.Equal(2, cache.Current.Count);
        Assert.Equal(1, cache.Current.Single(l => l.Link.Tenant == Acme).Link.Calls);
        Assert.True(cache.Linked(Globex, "cart", "inventory"));
        Assert.False(cache.Linked(Acme, "cart", "inventory"));
    }

    /// <summary>acme: checkout calls payments; globex: cart calls inventory (each a client span and the server span under it).</summary>
    private async Task<ClickHouseClient> StoredAsync()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var client = clickHouse.CreateClient(database);
        await new SchemaMigrator(client, Options.Create(new ClickHouseOptions { Url = clickHouse.Url, Database = database }), NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);
        var start = (ulong)DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds() * 1_000_000;
        await StoreAsync(client, Acme, Call(1, start, "checkout", "payments"));
        await StoreAsync(client, Globex, Call(50, start, "cart", "inventory"));
        return client;
    }

    private static async Task StoreAsync(ClickHouseClient client, string tenant, byte[] export)
    {
        var batch = new SpanBatch { Tenant = tenant };
        Assert.Equal(0, SpanBatchDecoder.Decode(export, batch).Rejected);
        using var rows = new RowBinaryWriter();
        SpanBatchRows.Encode(batch, rows, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var bytes = rows.WrittenMemory.ToArray();
        await client.InsertRowBinaryAsync(SpansTable.Name, SpansTable.Columns, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), CancellationToken.None);
    }

    /// <summary>One trace: a client span (kind 3) in <paramref name="caller"/> and the server span (kind 2) under it in <paramref name="callee"/>.</summary>
    private static byte[] Call(byte seed, ulong start, string caller, string callee) =>
        ProtoBuilder.Message(r =>
        {
            r.MessageField(1, Resource(caller, s => s.BytesField(1, Otlp.TraceId(seed)).BytesField(2, Otlp.SpanId(seed))
                .StringField(5, "call " + callee).VarintField(6, 3).Fixed64Field(7, start).Fixed64Field(8, start + 2_000_000)));
            r.MessageField(1, Resource(callee, s => s.BytesField(1, Otlp.TraceId(seed)).BytesField(2, Otlp.SpanId((byte)(seed + 1))).BytesField(4, Otlp.SpanId(seed))
                .StringField(5, "serve").VarintField(6, 2).Fixed64Field(7, start + 100_000).Fixed64Field(8, start + 1_900_000)));
        });

    private static Action<ProtoBuilder> Resource(string service, Action<ProtoBuilder> span) => rs =>
    {
        rs.MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, service))));
        rs.MessageField(2, ss =>
        {
            ss.MessageField(1, scope => scope.StringField(1, "link-test").StringField(2, "1.0"));
            ss.MessageField(2, span);
        });
    };
}
