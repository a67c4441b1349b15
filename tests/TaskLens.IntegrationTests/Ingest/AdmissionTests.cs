using System.Net;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// A flood from one tenant is pushed back with retryable answers once it holds its share of the in-flight budget,
/// while another tenant's exports still get in; every export is either stored or refused, never dropped.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class AdmissionTests(ClickHouseFixture clickHouse)
{
    private const string FloodKey = "flood-key-0123456789";
    private const string QuietKey = "quiet-key-0123456789";

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task FloodingTenant_IsPushedBack_WhileAnotherTenantsExportsSucceed(GrpcServerKind grpcServer)
    {
        // A long flush interval and linger keep admitted exports in flight while the rest of the flood arrives;
        // without the spool, an export stays in flight until ClickHouse has it.
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:GrpcServer"] = grpcServer.ToString(),
            ["TaskLens:Spool:Enabled"] = "false",
            ["TaskLens:Ingest:OpenMode"] = "false",
            ["TaskLens:Ingest:ApiKeys:0:Key"] = FloodKey,
            ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "flood",
            ["TaskLens:Ingest:ApiKeys:1:Key"] = QuietKey,
            ["TaskLens:Ingest:ApiKeys:1:Tenant"] = "quiet",
            ["TaskLens:Ingest:MaxRequestBytes"] = "32768",
            ["TaskLens:Ingest:MaxBytesInFlight"] = "65536",
            ["TaskLens:ClickHouse:FlushInterval"] = "00:00:03",
            ["TaskLens:ClickHouse:FlushLinger"] = "00:00:03",
            ["TaskLens:ClickHouse:FlushMaxSpans"] = "100000",
        });
        var exports = Enumerable.Range(0, 12)
            .Select(i => Otlp.Request("flooder", s => s.BytesField(1, Otlp.TraceId(0xE0)).BytesField(2, Otlp.SpanId((byte)(i + 1))).StringField(5, new string('f', 7000))))
            .ToList();

        var floodHttp = exports.Take(10).Select(e => OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, e, authorization: "Bearer " + FloodKey)).ToList();
        var pushedBack = new List<HttpResponseMessage>();
        while (pushedBack.Count == 0)
        {
            var done = await Task.WhenAny(floodHttp);
            if (done.Result.StatusCode == HttpStatusCode.TooManyRequests)
            {
                pushedBack.Add(done.Result);
            }

            floodHttp.Remove(done);
            Assert.True(floodHttp.Count > 0 || pushedBack.Count > 0, "the flood was never pushed back");
        }

        // The flood holds its share now; gRPC gets RESOURCE_EXHAUSTED with RetryInfo, and the quiet tenant gets in.
        var grpcFlood = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, exports[10], authorization: "Bearer " + FloodKey);
        using var quiet = await OtlpClient.PostHttpAsync(
            host.HttpTracesEndpoint,
            Otlp.Request("quiet-agent", s => s.BytesField(1, Otlp.TraceId(0xE8)).BytesField(2, Otlp.SpanId(0xE9)).StringField(5, new string('q', 7000))),
            authorization: "Bearer " + QuietKey);

        Assert.Equal(8, grpcFlood.GrpcStatus);
        Assert.Contains("type.googleapis.com/google.rpc.RetryInfo", System.Text.Encoding.ASCII.GetString(grpcFlood.StatusDetails), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);

        var responses = pushedBack.Concat(await Task.WhenAll(floodHttp)).ToList();
        var stored = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(10, stored + refused.Count);
        Assert.InRange(stored, 1, 5);
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));

        using var client = clickHouse.CreateClient(host.Database);
        var counts = await client.QueryAsync(
            "SELECT tenant, count() AS n FROM spans GROUP BY tenant ORDER BY tenant",
            r => (r.GetString("tenant"), r.GetUInt64("n")),
            CancellationToken.None);
        Assert.Equal([("flood", (ulong)stored), ("quiet", 1UL)], counts);
        responses.ForEach(r => r.Dispose());
    }
}
