using System.Buffers.Binary;
using System.Globalization;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// The standard gRPC server (Grpc.AspNetCore) refuses some calls itself — an oversized or cut-short message, an
/// unknown method — and inflates gzip in its own buffers; each refusal must still be counted in
/// <c>tasklens_ingest_refusals_total</c> with its reason, and inflating must stop at <c>MaxRequestBytes</c>.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class StandardGrpcRefusalTests(ClickHouseFixture clickHouse)
{
    private const int MaxRequestBytes = 65536;

    [Fact]
    public async Task ServerMadeRefusals_AreCountedWithTheirReason()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:GrpcServer"] = nameof(GrpcServerKind.Standard),
            ["TaskLens:Ingest:MaxRequestBytes"] = MaxRequestBytes.ToString(CultureInfo.InvariantCulture),
        });
        var export = Otlp.Request("checkout", Otlp.Span(0x61, "counted"));
        var before = await RefusalsAsync(host);

        // The server's own size check (the message as received) and ours after inflating (a small body, a large message).
        var oversized = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, new byte[MaxRequestBytes + 1]);
        var inflatesPastTheLimit = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, new byte[MaxRequestBytes * 8], gzip: true);
        var unknownMethod = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, export, path: "/opentelemetry.proto.collector.trace.v1.TraceService/Upload");
        var cutShort = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, export, rawFrame: Frame(export)[..^3]);
        var compressedWithoutEncoding = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, export, rawFrame: Frame(OtlpClient.Compress(export), compressed: true));
        var accepted = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, export);

        // The Prometheus exporter caches a scrape for a moment: read until the counts have moved, or give up after 10 s.
        var after = await RefusalsAsync(host);
        for (var i = 0; i < 40 && Delta(before, after, "too_large") + Delta(before, after, "unsupported") + Delta(before, after, "malformed") < 5; i++)
        {
            await Task.Delay(250);
            after = await RefusalsAsync(host);
        }

        Assert.Equal(8, oversized.GrpcStatus);
        Assert.Equal(8, inflatesPastTheLimit.GrpcStatus);
        Assert.Contains("after decompression", inflatesPastTheLimit.GrpcMessage, StringComparison.Ordinal);
        Assert.Equal(12, unknownMethod.GrpcStatus);
        Assert.NotEqual(0, cutShort.GrpcStatus);
        Assert.NotEqual(0, compressedWithoutEncoding.GrpcStatus);
        Assert.Equal(0, accepted.GrpcStatus);
        Assert.Equal(2, Delta(before, after, "too_large"));
        Assert.Equal(1, Delta(before, after, "unsupported"));
        Assert.Equal(2, Delta(before, after, "malformed"));
        Assert.Equal(0, Delta(before, after, "over_budget"));
    }

    private static byte[] Frame(byte[] payload, bool compressed = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string reason) =>
        after.GetValueOrDefault(reason) - before.GetValueOrDefault(reason);

    /// <summary>gRPC refusals by reason, from <c>/metrics</c>.</summary>
    private static async Task<Dictionary<string, double>> RefusalsAsync(TaskLensHost host)
    {
        var text = await host.Api.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var byReason = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("tasklens_ingest_refusals_total{", StringComparison.Ordinal) || !line.Contains("transport=\"grpc\"", StringComparison.Ordinal))
            {
                continue;
            }

            var at = line.IndexOf("reason=\"", StringComparison.Ordinal) + 8;
            var reason = line[at..line.IndexOf('"', at)];
            var value = double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            byReason[reason] = byReason.GetValueOrDefault(reason) + value;
        }

        return byReason;
    }
}
