using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;
using TaskLens.UnitTests.TestSupport;
using Xunit.Abstractions;

namespace TaskLens.IntegrationTests.Faults;

/// <summary>
/// Requests built to hurt (issue 14): a service name too long for the spool's old 16-bit length field, and hundreds
/// of small gzip bodies that each inflate to the 64 MiB export limit, against a small in-flight budget.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class HostileInputTests(ClickHouseFixture clickHouse, ITestOutputHelper output)
{
    private const string FloodKey = "flood-key-0123456789", QuietKey = "quiet-key-0123456789";
    private const long Budget = 128L * 1024 * 1024;

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task ServiceNameOf70000Bytes_IsRefusedAsInvalid_NotAcknowledgedAndLost(GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, TaskLensHost.GrpcSettings(grpcServer));
        var huge = Otlp.Request(new string('s', 70_000), Otlp.Span(0x31, "vanishing"));

        using (var http = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, huge))
        {
            Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
            Assert.Contains("service.name is 70000 bytes", System.Text.Encoding.UTF8.GetString(await http.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
        }

        var grpc = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, huge);
        Assert.Equal(3, grpc.GrpcStatus); // INVALID_ARGUMENT
        Assert.Contains("at most 1024", grpc.GrpcMessage, StringComparison.Ordinal);

        // A long but reasonable name is stored and read back whole.
        var name = new string('n', 1000);
        using (var ok = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Otlp.Request(name, s => s
            .BytesField(1, Otlp.TraceId(0x40)).BytesField(2, Otlp.SpanId(0x41)).StringField(5, "kept")
            .Fixed64Field(7, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000))))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await host.WaitForStoredAsync();
        var trace = await host.Api.GetStringAsync(new Uri($"/api/traces/{Convert.ToHexStringLower(Otlp.TraceId(0x40))}", UriKind.Relative));
        Assert.Contains(name, trace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThreeHundredConcurrent64MiBGzipBodies_StayWithinTheBudget_AndAnotherTenantIsServed()
    {
        var (server, work, ports) = await StartFloodAndQuietTenantsAsync("tasklens-hostile-");
        try
        {
            var endpoint = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { Timeout = TimeSpan.FromMinutes(5) };
            var quietExport = Otlp.Request("checkout", s => s
                .BytesField(1, Otlp.TraceId(0x50)).BytesField(2, Otlp.SpanId(0x51)).StringField(5, "unrelated")
                .Fixed64Field(7, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000));
            Assert.Equal(HttpStatusCode.OK, await PostAsync(http, endpoint, quietExport, QuietKey, gzip: false)); // warm
            var baseline = Kilobytes(server.Id, "VmRSS");

            // 64 MiB of zeros is about 64 KiB of gzip: cheap to send, costly to inflate.
            var bomb = Gzip(new byte[64 * 1024 * 1024]);
            var flood = Enumerable.Range(0, 300).Select(_ => PostAsync(http, endpoint, bomb, FloodKey, gzip: true)).ToList();

            // While the flood is in, another tenant's export is served (retrying on 429, as exporters do).
            var quiet = HttpStatusCode.TooManyRequests;
            for (var attempt = 0; attempt < 100 && quiet != HttpStatusCode.OK; attempt++)
            {
                quiet = await PostAsync(http, endpoint, quietExport, QuietKey, gzip: false);
                await Task.Delay(quiet == HttpStatusCode.OK ? 0 : 100);
            }

            var answers = await Task.WhenAll(flood);
            var peak = Kilobytes(server.Id, "VmHWM");

            Assert.Equal(HttpStatusCode.OK, quiet);
            Assert.All(answers, a => Assert.True(a is HttpStatusCode.TooManyRequests or HttpStatusCode.BadRequest, $"answered {a}"));
            Assert.Contains(HttpStatusCode.TooManyRequests, answers);

            // Without the budget counted before inflating, 300 bodies inflate at once: many GiB. With it, the peak stays
            // within the budget plus the runtime's own slack.
            var grewMiB = (peak - baseline) / 1024;
            output.WriteLine($"resident before the flood {baseline / 1024} MiB, peak {peak / 1024} MiB; {answers.Count(a => a == HttpStatusCode.TooManyRequests)} of 300 pushed back");
            Assert.True(grewMiB < (Budget / 1024 / 1024) + 256, $"peak resident memory grew by {grewMiB} MiB (budget 128 MiB)");
        }
        finally
        {
            await StopAsync(server, work);
        }
    }

    [Fact]
    public async Task ThreeHundredConcurrent64MiBGzipMessages_OnTheStandardGrpcServer_StayWithinTheBudget()
    {
        var (server, work, ports) = await StartFloodAndQuietTenantsAsync("tasklens-hostile-grpc-", "--TaskLens:Ingest:GrpcServer=Standard");
        try
        {
            var endpoint = new Uri($"http://127.0.0.1:{ports[1]}");
            var quietExport = Otlp.Request("checkout", s => s
                .BytesField(1, Otlp.TraceId(0x52)).BytesField(2, Otlp.SpanId(0x53)).StringField(5, "unrelated")
                .Fixed64Field(7, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000));
            Assert.Equal(0, (await OtlpClient.CallGrpcAsync(endpoint, quietExport, authorization: "Bearer " + QuietKey)).GrpcStatus); // warm
            var baseline = Kilobytes(server.Id, "VmRSS");

            // Grpc.AspNetCore inflates a message into a MemoryStream of its own before the marshaller sees it: without the
            // budget counted as it inflates, every one of these takes 64 MiB or more at once.
            var compressed = Gzip(new byte[64 * 1024 * 1024]);
            var frame = new byte[5 + compressed.Length];
            frame[0] = 1;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)compressed.Length);
            compressed.CopyTo(frame, 5);
            var flood = Enumerable.Range(0, 300).Select(_ => OtlpClient.CallGrpcAsync(endpoint, [], gzip: true, rawFrame: frame, authorization: "Bearer " + FloodKey)).ToList();

            var quiet = 8;
            for (var attempt = 0; attempt < 100 && quiet != 0; attempt++)
            {
                quiet = (await OtlpClient.CallGrpcAsync(endpoint, quietExport, authorization: "Bearer " + QuietKey)).GrpcStatus;
                await Task.Delay(quiet == 0 ? 0 : 100);
            }

            var answers = await Task.WhenAll(flood);
            var peak = Kilobytes(server.Id, "VmHWM");

            Assert.Equal(0, quiet);
            // RESOURCE_EXHAUSTED: pushed back with RetryInfo, or (zeros are no valid export) INVALID_ARGUMENT once admitted.
            Assert.All(answers, a => Assert.True(a.GrpcStatus is 8 or 3, $"answered {a.GrpcStatus} {a.GrpcMessage}"));
            var pushedBack = answers.Where(a => a.GrpcStatus == 8).ToList();
            Assert.NotEmpty(pushedBack);
            Assert.All(pushedBack, a => Assert.Contains("type.googleapis.com/google.rpc.RetryInfo", System.Text.Encoding.ASCII.GetString(a.StatusDetails), StringComparison.Ordinal));

            var grewMiB = (peak - baseline) / 1024;
            output.WriteLine($"resident before the flood {baseline / 1024} MiB, peak {peak / 1024} MiB; {pushedBack.Count} of 300 pushed back");
            Assert.True(grewMiB < (Budget / 1024 / 1024) + 256, $"peak resident memory grew by {grewMiB} MiB (budget 128 MiB)");
        }
        finally
        {
            await StopAsync(server, work);
        }
    }

    /// <summary>A TaskLens process with two tenants' keys (flood and quiet) and an in-flight budget of <see cref="Budget"/>.</summary>
    private async Task<(System.Diagnostics.Process Server, string Work, int[] Ports)> StartFloodAndQuietTenantsAsync(string workPrefix, params string[] settings)
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var work = Path.Combine(Path.GetTempPath(), workPrefix + database);
        Directory.CreateDirectory(work);
        var ports = FreePorts.Take(3);
        var server = await TaskLensProcess.StartAsync(
            clickHouse.Url,
            work,
            database,
            ports,
            [
                .. settings,
                "--TaskLens:Ingest:OpenMode=false",
                $"--TaskLens:Ingest:ApiKeys:0:Key={FloodKey}",
                "--TaskLens:Ingest:ApiKeys:0:Tenant=flood",
                $"--TaskLens:Ingest:ApiKeys:1:Key={QuietKey}",
                "--TaskLens:Ingest:ApiKeys:1:Tenant=quiet",
                $"--TaskLens:Ingest:MaxBytesInFlight={Budget}",
            ]);
        return (server, work, ports);
    }

    private static async Task StopAsync(System.Diagnostics.Process server, string work)
    {
        server.Kill();
        await server.WaitForExitAsync();
        server.Dispose();
        Directory.Delete(work, recursive: true);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, Uri endpoint, byte[] body, string key, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A memory figure of a process from /proc (VmRSS: resident now; VmHWM: the peak resident).</summary>
    private static long Kilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
