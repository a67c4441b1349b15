using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Whole-system ingest on loopback, bounded in time: the built TaskLens server (embedded ClickHouse) takes agent
/// exports over OTLP/HTTP, and the same rows are then inserted by clickhouse-client directly as RowBinary — the
/// ceiling — in the same run, so the report gives ratios rather than machine-bound absolute numbers.
/// </summary>
internal static class LoadBenchmark
{
    private const int SpansPerExport = 5000;
    private const int SustainedExports = 40;
    private const int Concurrency = 4;
    private const int Bursts = 30;
    private const int WarmUpExports = 8;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string serverDll, string outputDirectory)
    {
        var work = Path.Combine(Path.GetTempPath(), "tasklens-load-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = FreePorts(5);
        using var server = StartServer(serverDll, work, ports);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            await WaitHealthyAsync(http, ports[0], server);
            using var clickHouse = new ClickHouseClient(
                new HttpClient(ClickHouseClient.CreateHandler()),
                new ClickHouseOptions { Url = $"http://127.0.0.1:{ports[3]}", Database = "tasklens" },
                NullLogger<ClickHouseClient>.Instance);
            var endpoint = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");

            // Warm-up exports first, so JIT compilation is not billed to the measured spans.
            var warmUp = Enumerable.Range(500, WarmUpExports).Select(i => AgentExport.Create(SpansPerExport, i)).ToList();
            foreach (var export in warmUp)
            {
                await PostUntilAcceptedAsync(http, endpoint, export);
            }

            var exports = Enumerable.Range(1, SustainedExports).Select(i => AgentExport.Create(SpansPerExport, i)).ToList();
            var sustained = await SustainedAsync(http, endpoint, exports, server);
            var stored = await CountAsync(clickHouse, "spans") - (ulong)(WarmUpExports * SpansPerExport);
            var ceiling = await CeilingAsync(clickHouse, exports, ports[4]);
            var burst = await BurstAsync(http, endpoint, clickHouse);
            var report = new LoadReport(
                SpansPerExport * SustainedExports,
                stored,
                sustained.SpansPerSecond,
                sustained.CpuMicrosPerSpan,
                ceiling,
                sustained.SpansPerSecond / ceiling,
                burst.AckP50Ms,
                burst.AckP99Ms,
                burst.QueryableP50Ms,
                sustained.PeakRssMiB);
            Directory.CreateDirectory(outputDirectory);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "load.json"), JsonSerializer.Serialize(report, Indented));
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "load.md"), report.ToMarkdown());
            Console.WriteLine(report.ToMarkdown());
            return stored == (ulong)report.SpansSent ? 0 : 1;
        }
        finally
        {
            Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(double SpansPerSecond, double CpuMicrosPerSpan, double PeakRssMiB)> SustainedAsync(
        HttpClient http,
        Uri endpoint,
        List<byte[]> exports,
        Process server)
    {
        var cpuBefore = server.TotalProcessorTime;
        var peakRss = 0L;
        var clock = Stopwatch.StartNew();
        var next = -1;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < exports.Count)
            {
                await PostUntilAcceptedAsync(http, endpoint, exports[i]);
                server.Refresh();
                Interlocked.Exchange(ref peakRss, Math.Max(Interlocked.Read(ref peakRss), server.WorkingSet64));
            }
        });
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        server.Refresh();
        var cpu = server.TotalProcessorTime - cpuBefore;
        var spans = (double)exports.Count * SpansPerExport;
        return (spans / elapsed.TotalSeconds, cpu.TotalMicroseconds / spans, peakRss / 1024.0 / 1024.0);
    }

    /// <summary>The ceiling: the same rows, encoded by our encoder, inserted by clickhouse-client over the native port.</summary>
    private static async Task<double> CeilingAsync(ClickHouseClient clickHouse, List<byte[]> exports, int tcpPort)
    {
        await clickHouse.ExecuteAsync("CREATE TABLE IF NOT EXISTS spans_ceiling AS spans", CancellationToken.None);
        var file = Path.GetTempFileName();
        try
        {
            using (var rows = new RowBinaryWriter(1 << 24))
            {
                var batch = new SpanBatch();
                foreach (var export in exports)
                {
                    batch.Clear();
                    OtlpTraceDecoder.Decode(export, batch);
                    SpanRowEncoder.Encode(batch, rows, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                }

                await File.WriteAllBytesAsync(file, rows.WrittenMemory.ToArray());
            }

            var columns = string.Join(", ", SpanRowEncoder.Columns);
            var start = new ProcessStartInfo("clickhouse-client")
            {
                ArgumentList = { "--port", tcpPort.ToString(CultureInfo.InvariantCulture), "--database", "tasklens", "--query", $"INSERT INTO spans_ceiling ({columns}) FORMAT RowBinary" },
                RedirectStandardInput = true,
                RedirectStandardError = true,
            };
            var clock = Stopwatch.StartNew();
            using var client = Process.Start(start)!;
            await using (var input = File.OpenRead(file))
            {
                await input.CopyToAsync(client.StandardInput.BaseStream);
            }

            client.StandardInput.Close();
            await client.WaitForExitAsync();
            var elapsed = clock.Elapsed;
            if (client.ExitCode != 0)
            {
                throw new InvalidOperationException("clickhouse-client failed: " + await client.StandardError.ReadToEndAsync());
            }

            var inserted = await CountAsync(clickHouse, "spans_ceiling");
            return inserted / elapsed.TotalSeconds;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Single 5,000-span exports one after another: ack latency, and time until the whole run is queryable.</summary>
    private static async Task<(double AckP50Ms, double AckP99Ms, double QueryableP50Ms)> BurstAsync(HttpClient http, Uri endpoint, ClickHouseClient clickHouse)
    {
        var acks = new List<double>();
        var queryable = new List<double>();
        for (var i = 0; i < Bursts; i++)
        {
            var export = AgentExport.Create(SpansPerExport, 1000 + i);
            var batch = new SpanBatch();
            OtlpTraceDecoder.Decode(export, batch);
            var traceId = $"{batch.Spans[0].TraceIdHigh:x16}{batch.Spans[0].TraceIdLow:x16}";
            var clock = Stopwatch.StartNew();
            await PostUntilAcceptedAsync(http, endpoint, export);
            acks.Add(clock.Elapsed.TotalMilliseconds);
            while (await CountAsync(clickHouse, "spans", $"trace_id = unhex('{traceId}')") < SpansPerExport)
            {
                await Task.Delay(5);
            }

            queryable.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (Percentile(acks, 0.5), Percentile(acks, 0.99), Percentile(queryable, 0.5));
    }

    private static async Task PostUntilAcceptedAsync(HttpClient http, Uri endpoint, byte[] export)
    {
        // Like an OTLP exporter: retry what TaskLens pushes back (429/503), honour Retry-After; nothing is dropped.
        for (var attempt = 0; ; attempt++)
        {
            using var content = new ByteArrayContent(export);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await http.PostAsync(endpoint, content);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || attempt > 100)
            {
                throw new InvalidOperationException($"export refused: {(int)response.StatusCode}");
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task<ulong> CountAsync(ClickHouseClient clickHouse, string table, string where = "1") =>
        (await clickHouse.QueryAsync($"SELECT count() AS n FROM {table} WHERE {where}", r => r.GetUInt64("n"), CancellationToken.None))[0];

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static Process StartServer(string serverDll, string work, int[] ports)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                serverDll,
                "--contentRoot", work,
                "--TaskLens:Ingest:OpenMode=true",
                "--TaskLens:Server:ListenAddress=127.0.0.1",
                $"--TaskLens:Server:ApiPort={ports[0]}",
                $"--TaskLens:Server:OtlpGrpcPort={ports[1]}",
                $"--TaskLens:Server:OtlpHttpPort={ports[2]}",
                $"--TaskLens:ClickHouse:EmbeddedHttpPort={ports[3]}",
                $"--TaskLens:ClickHouse:EmbeddedTcpPort={ports[4]}",
                "--Logging:LogLevel:Default=Warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(HttpClient http, int apiPort, Process server)
    {
        for (var i = 0; i < 600; i++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"TaskLens exited with code {server.ExitCode} during start-up.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{apiPort}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("TaskLens did not become healthy within 60 s.");
    }

    private static void Stop(Process server)
    {
        if (!server.HasExited)
        {
            // SIGTERM lets TaskLens stop its embedded ClickHouse cleanly.
            Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!server.WaitForExit(30_000))
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
