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
    private const int SustainedExports = 360;
    private const int Concurrency = 4;
    private const int CeilingExports = 120;
    private const int Bursts = 30;

    /// <summary>The overload phase: offered load is this multiple of the measured end-to-end rate, for this long.</summary>
    private const int OverloadFactor = 10;
    private static readonly TimeSpan OverloadDuration = TimeSpan.FromSeconds(60);

    /// <summary>Overload exporters, each with a bounded queue as an OTLP SDK's batch processor has.</summary>
    private const int OverloadClients = 8;
    private const int ClientQueueExports = 4;

    /// <summary>The spool cap for the run: small enough that overload reaches it within the phase.</summary>
    private const long SpoolCapBytes = 256L * 1024 * 1024;

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
            // The embedded server's generated password, kept in TaskLens's data directory under the content root.
            var password = File.ReadAllText(Path.Combine(work, ".tasklens", "clickhouse", "password"));
            using var clickHouse = new ClickHouseClient(
                new HttpClient(ClickHouseClient.CreateHandler()),
                new ClickHouseOptions { Url = $"http://127.0.0.1:{ports[3]}", Database = "tasklens", Password = password },
                NullLogger<ClickHouseClient>.Instance);
            var endpoint = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");

            // A first pass of the same shape (the same senders, the same number of exports, their goal runs stored)
            // warms the server up: the runtime's tiered JIT and the thread pool settle, so the measured pass shows a
            // running server's cost per span. The first pass's figures are reported too: they include the JIT.
            var warmUp = Enumerable.Range(50_000, SustainedExports).Select(i => AgentExport.Create(SpansPerExport, i)).ToList();
            var firstPass = await SustainedAsync(http, endpoint, warmUp, server, clickHouse);
            warmUp.Clear();
            var exports = Enumerable.Range(1, SustainedExports).Select(i => AgentExport.Create(SpansPerExport, i)).ToList();
            var sustained = await SustainedAsync(http, endpoint, exports, server, clickHouse);
            var stored = await CountAsync(clickHouse, "spans") - (ulong)(SustainedExports * SpansPerExport);
            var ceiling = await CeilingAsync(clickHouse, exports.Take(CeilingExports).ToList(), ports[4], password);
            // The burst is timed from a settled ClickHouse: the passes above leave merges of several million rows running,
            // and on this one disk they slow the spool's fsync, which every acknowledgement waits for.
            await WaitForMergesAsync(clickHouse, TimeSpan.FromSeconds(90));
            var burst = await BurstAsync(http, endpoint, clickHouse);
            var overload = await OverloadAsync(http, endpoint, clickHouse, server, sustained.SpansPerSecond);
            var report = new LoadReport(
                SpansPerExport * SustainedExports,
                stored,
                sustained.SpansPerSecond,
                sustained.CpuMicrosPerSpan,
                firstPass.CpuMicrosPerSpan,
                ceiling,
                sustained.SpansPerSecond / ceiling,
                burst.AckP50Ms,
                burst.AckP99Ms,
                burst.QueryableP50Ms,
                sustained.PeakRssMiB,
                overload);
            Directory.CreateDirectory(outputDirectory);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "load.json"), JsonSerializer.Serialize(report, Indented));
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "load.md"), report.ToMarkdown());
            Console.WriteLine(report.ToMarkdown());
            return stored == (ulong)report.SpansSent && overload.SpansStored == overload.SpansAcknowledged ? 0 : 1;
        }
        finally
        {
            Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Exports from concurrent senders; the clock runs until ClickHouse holds every span (an acknowledgement only means
    /// the spool has it), so the rate is end to end. CPU is the server's until ClickHouse also holds every export's
    /// final goal run (a quiet period after its last span), so it includes the rollup's whole work on these spans.
    /// </summary>
    private static async Task<(double SpansPerSecond, double CpuMicrosPerSpan, double PeakRssMiB)> SustainedAsync(
        HttpClient http,
        Uri endpoint,
        List<byte[]> exports,
        Process server,
        ClickHouseClient clickHouse)
    {
        var before = await CountAsync(clickHouse, "spans");
        var runsBefore = await CountAsync(clickHouse, "goal_runs FINAL");
        var cpuBefore = server.TotalProcessorTime;
        using var rss = new RssSampler(server);
        var clock = Stopwatch.StartNew();
        var next = -1;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < exports.Count)
            {
                await PostUntilAcceptedAsync(http, endpoint, exports[i]);
            }
        });
        await Task.WhenAll(workers);
        var spans = (ulong)exports.Count * SpansPerExport;
        await WaitForCountAsync(clickHouse, before + spans);
        var elapsed = clock.Elapsed;
        await WaitForCountAsync(clickHouse, runsBefore + (ulong)exports.Count, TimeSpan.FromSeconds(120), "goal_runs FINAL");
        server.Refresh();
        var cpu = server.TotalProcessorTime - cpuBefore;
        return (spans / elapsed.TotalSeconds, cpu.TotalMicroseconds / spans, rss.PeakMiB);
    }

    /// <summary>
    /// Offers <see cref="OverloadFactor"/> times the measured end-to-end rate for <see cref="OverloadDuration"/>. Each
    /// exporter keeps a bounded queue and retries what TaskLens pushes back after its Retry-After, as OTLP exporters do;
    /// an export that finds its exporter's queue full is dropped by the client (as an SDK drops when its queue is full)
    /// and never reaches TaskLens. Afterwards the exporters finish retrying and ClickHouse must hold exactly the spans
    /// TaskLens acknowledged.
    /// </summary>
    private static async Task<OverloadReport> OverloadAsync(HttpClient http, Uri endpoint, ClickHouseClient clickHouse, Process server, double sustainedSpansPerSecond)
    {
        var before = await CountAsync(clickHouse, "spans");
        var offeredExportsPerSecond = OverloadFactor * sustainedSpansPerSecond / SpansPerExport;
        var queues = Enumerable.Range(0, OverloadClients).Select(_ => System.Threading.Channels.Channel.CreateBounded<byte[]>(ClientQueueExports)).ToList();
        long acknowledged = 0, tooMany = 0, unavailable = 0, withoutHint = 0, offered = 0, droppedByClients = 0;
        using var rss = new RssSampler(server);
        var clients = queues.Select(queue => Task.Run(async () =>
        {
            await foreach (var export in queue.Reader.ReadAllAsync())
            {
                while (true)
                {
                    using var content = new ByteArrayContent(export);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                    using var response = await http.PostAsync(endpoint, content);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref acknowledged);
                        break;
                    }

                    Interlocked.Increment(ref response.StatusCode == HttpStatusCode.TooManyRequests ? ref tooMany : ref unavailable);
                    if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
                    {
                        throw new InvalidOperationException($"export refused: {(int)response.StatusCode}");
                    }

                    if (response.Headers.RetryAfter?.Delta is not { } delay)
                    {
                        Interlocked.Increment(ref withoutHint);
                        delay = TimeSpan.FromSeconds(1);
                    }

                    await Task.Delay(delay);
                }
            }
        })).ToList();

        var clock = Stopwatch.StartNew();
        var seed = 100_000;
        while (clock.Elapsed < OverloadDuration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * offeredExportsPerSecond);
            while (offered < due)
            {
                var queue = queues[(int)(offered++ % OverloadClients)];
                if (queue.Reader.Count >= ClientQueueExports)
                {
                    droppedByClients++;
                    continue;
                }

                queue.Writer.TryWrite(AgentExport.Create(SpansPerExport, seed++));
            }

            await Task.Delay(10);
        }

        queues.ForEach(q => q.Writer.Complete());
        await Task.WhenAll(clients);
        var retriesDone = clock.Elapsed;
        var acknowledgedSpans = (ulong)acknowledged * SpansPerExport;
        await WaitForCountAsync(clickHouse, before + acknowledgedSpans, TimeSpan.FromMinutes(5));
        var stored = await CountAsync(clickHouse, "spans") - before;
        return new OverloadReport(
            OverloadFactor,
            OverloadDuration.TotalSeconds,
            offered * SpansPerExport,
            droppedByClients * SpansPerExport,
            acknowledgedSpans,
            stored,
            tooMany,
            unavailable,
            withoutHint,
            rss.PeakMiB,
            (retriesDone - OverloadDuration).TotalSeconds,
            (clock.Elapsed - retriesDone).TotalSeconds);
    }

    /// <summary>Waits (at most <paramref name="limit"/>) until ClickHouse runs no merge.</summary>
    private static async Task WaitForMergesAsync(ClickHouseClient clickHouse, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit && await CountAsync(clickHouse, "system.merges") > 0)
        {
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until <paramref name="table"/> (spans unless told) holds <paramref name="expected"/> rows.</summary>
    private static async Task WaitForCountAsync(ClickHouseClient clickHouse, ulong expected, TimeSpan? timeout = null, string table = "spans")
    {
        var deadline = Stopwatch.StartNew();
        while (await CountAsync(clickHouse, table) < expected)
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException($"ClickHouse did not reach {expected} rows in {table}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The ceiling: the same rows, encoded by our encoder, inserted by clickhouse-client over the native port.</summary>
    private static async Task<double> CeilingAsync(ClickHouseClient clickHouse, List<byte[]> exports, int tcpPort, string password)
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
                ArgumentList = { "--port", tcpPort.ToString(CultureInfo.InvariantCulture), "--password", password, "--database", "tasklens", "--query", $"INSERT INTO spans_ceiling ({columns}) FORMAT RowBinary" },
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

    /// <summary>The built server on <paramref name="ports"/> (API, gRPC, HTTP, embedded ClickHouse HTTP and TCP) in <paramref name="work"/>.</summary>
    internal static Process StartServer(string serverDll, string work, int[] ports, long spoolCapBytes = SpoolCapBytes)
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
                "--TaskLens:Spool:Path=" + Path.Combine(work, "spool"),
                $"--TaskLens:Spool:MaxBytes={spoolCapBytes}",
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

    internal static async Task WaitHealthyAsync(HttpClient http, int apiPort, Process server)
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

    internal static void Stop(Process server)
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

    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
