using System.Buffers.Binary;
using System.Globalization;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Exports shaped like what OpenTelemetry SDKs (through a collector) send: 512-span batches that interleave many
/// traces of <see cref="Services"/> services, each trace of 20–200 spans (HTTP server and client calls, database
/// queries, agent goals with LLM and tool calls), about 15 attributes per span, events on about 6% of spans and errors
/// on about 5%. A round of <see cref="ExportsPerRound"/> exports holds its traces whole; later rounds are the same bytes
/// with every trace id replaced, so exports cost a copy to make and the sender stays off the CPU being measured.
/// </summary>
internal sealed class SdkTraffic
{
    public const int SpansPerExport = 512;
    public const int Services = 10;
    public const int MinTraceSpans = 20;
    public const int MaxTraceSpans = 200;

    /// <summary>The high half of every template trace id, found again in the bytes to replace it.</summary>
    private const ulong Marker = 0x7A5C_1E45_B0D1_E5F0UL;

    private static readonly string[] ServiceNames =
        ["frontend", "checkout", "cart", "payments", "inventory", "shipping", "recommendations", "support-agent", "research-agent", "notifications"];

    private readonly List<Template> _templates = [];

    /// <param name="maxTraceSpans">The largest trace (at least <see cref="MinTraceSpans"/>); larger for a burst of large runs.</param>
    public SdkTraffic(int exportsPerRound, int seed, long startUnixNanos, int maxTraceSpans = MaxTraceSpans)
    {
        var random = new Random(seed);
        var spans = new List<SpanSpec>();
        var traces = 0;
        var total = exportsPerRound * SpansPerExport;
        while (spans.Count < total)
        {
            var size = Math.Min(random.Next(MinTraceSpans, maxTraceSpans + 1), total - spans.Count);
            var start = startUnixNanos + (long)(random.NextDouble() * 20e9);
            AddTrace(spans, random, traces++, size, start);
        }

        // An SDK's batch processor exports spans as they end, so concurrent traces interleave in every batch.
        spans.Sort((a, b) => a.End.CompareTo(b.End));
        for (var i = 0; i < exportsPerRound; i++)
        {
            var bytes = Encode(spans.GetRange(i * SpansPerExport, SpansPerExport));
            _templates.Add(new Template(bytes, FindTraceIds(bytes)));
        }

        TracesPerRound = traces;
        EventsShare = (double)spans.Count(s => s.Event is not null) / spans.Count;
        ErrorsShare = (double)spans.Count(s => s.Error) / spans.Count;
        AttributesPerSpan = spans.Average(s => s.Attributes.Count);
    }

    public int ExportsPerRound => _templates.Count;

    public int TracesPerRound { get; }

    public double EventsShare { get; }

    public double ErrorsShare { get; }

    public double AttributesPerSpan { get; }

    public long MaxExportBytes => _templates.Max(t => t.Bytes.Length);

    public double MeanExportBytes => _templates.Average(t => t.Bytes.Length);

    /// <summary>Export number <paramref name="sequence"/> of the run: its round's template with that round's trace ids.</summary>
    public byte[] Create(long sequence)
    {
        var template = _templates[(int)(sequence % _templates.Count)];
        var round = (ulong)(sequence / _templates.Count);
        var bytes = (byte[])template.Bytes.Clone();
        foreach (var (offset, trace) in template.TraceIds)
        {
            var low = Mix((round << 32) ^ trace);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), Mix(low ^ 0x9E37_79B9_7F4A_7C15UL));
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset + 8), low);
        }

        return bytes;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    private static List<(int Offset, ulong Trace)> FindTraceIds(byte[] bytes)
    {
        // A span's trace_id is field 1, 16 bytes: tag 0x0A, length 0x10, then the marker.
        Span<byte> marker = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(marker, Marker);
        var found = new List<(int, ulong)>();
        for (var i = 2; i + 16 <= bytes.Length; i++)
        {
            if (bytes[i - 2] == 0x0A && bytes[i - 1] == 0x10 && bytes.AsSpan(i, 8).SequenceEqual(marker))
            {
                found.Add((i, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i + 8))));
                i += 15;
            }
        }

        return found;
    }

    private static void AddTrace(List<SpanSpec> spans, Random random, int trace, int size, long start)
    {
        var agent = random.NextDouble() < 0.3;
        var root = agent ? 7 + random.Next(2) : random.Next(2);
        var touched = new List<int> { root };
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            touched.Add(random.Next(Services));
        }

        var first = spans.Count;
        var duration = (long)(random.Next(50, 3000) * 1e6);
        spans.Add(NewSpan(random, trace, 1, 0, root, agent ? SpanShape.Agent : SpanShape.HttpServer, start, start + duration));
        for (var i = 1; i < size; i++)
        {
            // Parents are earlier spans of the trace, mostly recent ones: trees a few levels deep with wide fan-out.
            var parent = spans[first + Math.Max(0, i - 1 - random.Next(Math.Min(i, 8)))];
            var service = touched[random.Next(touched.Count)];
            var shape = agent
                ? (random.Next(3) switch { 0 => SpanShape.Chat, 1 => SpanShape.Tool, _ => SpanShape.Db })
                : (random.Next(3) switch { 0 => SpanShape.HttpClient, 1 => SpanShape.Db, _ => SpanShape.Internal });
            var childStart = parent.Start + (long)(random.NextDouble() * (parent.End - parent.Start) * 0.5);
            var childEnd = childStart + (long)(random.NextDouble() * (parent.End - childStart));
            spans.Add(NewSpan(random, trace, (ulong)i + 1, parent.SpanId, service, shape, childStart, Math.Max(childStart + 1000, childEnd)));
        }
    }

    private static SpanSpec NewSpan(Random random, int trace, ulong spanId, ulong parent, int service, SpanShape shape, long start, long end)
    {
        var error = random.NextDouble() < 0.05;
        var attributes = Attributes(random, shape, error);
        var name = shape switch
        {
            SpanShape.HttpServer => "POST /api/" + Pick(random, ["orders", "carts", "payments", "search", "tickets"]),
            SpanShape.HttpClient => "GET",
            SpanShape.Db => "SELECT " + Pick(random, ["orders", "items", "customers", "stock", "memories"]),
            SpanShape.Agent => "invoke_agent " + ServiceNames[service],
            SpanShape.Chat => "chat gpt-4o",
            SpanShape.Tool => "execute_tool " + Pick(random, ["web_search", "fetch_page", "lookup_order", "send_email"]),
            _ => Pick(random, ["render", "validate", "serialize", "cache.get", "compute_price"]),
        };
        var kind = shape switch
        {
            SpanShape.HttpServer => 2,
            SpanShape.HttpClient or SpanShape.Db or SpanShape.Chat => 3,
            _ => 1,
        };
        SpanEvent? spanEvent = error
            ? new SpanEvent("exception", [
                ("exception.type", Pick(random, ["System.TimeoutException", "System.Net.Http.HttpRequestException", "Npgsql.PostgresException"])),
                ("exception.message", "The operation timed out after " + random.Next(1000, 30000).ToString(CultureInfo.InvariantCulture) + " ms"),
                ("exception.stacktrace", "   at Shop.Orders.OrderService.PlaceAsync(Order order) in /src/Orders/OrderService.cs:line " + random.Next(20, 400).ToString(CultureInfo.InvariantCulture)
                    + "\n   at Shop.Api.OrdersController.Post(OrderRequest request) in /src/Api/OrdersController.cs:line " + random.Next(20, 200).ToString(CultureInfo.InvariantCulture)),
            ])
            : random.NextDouble() < 0.01 ? new SpanEvent("cache miss", [("cache.key", "order:" + random.Next().ToString(CultureInfo.InvariantCulture))]) : null;
        return new SpanSpec(trace, spanId, parent, service, name, kind, start, end, attributes, error, spanEvent);
    }

    private static List<(string Key, object Value)> Attributes(Random random, SpanShape shape, bool error)
    {
        var thread = random.Next(1, 64);
        List<(string, object)> common = [("thread.id", (long)thread), ("thread.name", ".NET TP Worker #" + thread.ToString(CultureInfo.InvariantCulture))];
        List<(string, object)> specific = shape switch
        {
            SpanShape.HttpServer or SpanShape.HttpClient =>
            [
                ("http.request.method", Pick(random, ["GET", "POST", "PUT"])), ("http.route", "/api/orders/{id}"),
                ("url.path", "/api/orders/" + random.Next(100_000).ToString(CultureInfo.InvariantCulture)), ("url.scheme", "https"),
                ("server.address", Pick(random, ServiceNames) + ".shop.svc.cluster.local"), ("server.port", 8080L),
                ("network.protocol.version", "1.1"), ("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"),
                ("client.address", "10.0." + random.Next(256).ToString(CultureInfo.InvariantCulture) + "." + random.Next(256).ToString(CultureInfo.InvariantCulture)),
                ("http.response.status_code", error ? 503L : 200L), ("http.request.body.size", (long)random.Next(100, 5000)),
                ("code.namespace", "Shop.Api.OrdersController"), ("code.function", "Post"),
            ],
            SpanShape.Db =>
            [
                ("db.system", "postgresql"), ("db.namespace", "shop"), ("db.operation.name", "SELECT"),
                ("db.query.text", "SELECT id, customer_id, total, status FROM orders WHERE customer_id = $1 AND created_at > $2 LIMIT " + random.Next(10, 100).ToString(CultureInfo.InvariantCulture)),
                ("db.collection.name", "orders"), ("server.address", "postgres.shop.svc.cluster.local"), ("server.port", 5432L),
                ("network.peer.address", "10.1.0." + random.Next(256).ToString(CultureInfo.InvariantCulture)), ("network.peer.port", 5432L),
                ("db.user", "shop_app"), ("db.response.returned_rows", (long)random.Next(0, 500)), ("code.namespace", "Shop.Data.OrderRepository"), ("code.function", "FindRecentAsync"),
            ],
            SpanShape.Agent =>
            [
                ("gen_ai.operation.name", "invoke_agent"), ("gen_ai.agent.name", Pick(random, ["triage", "research", "refund"])),
                ("gen_ai.agent.id", "agent-" + random.Next(1000).ToString(CultureInfo.InvariantCulture)), ("gen_ai.system", "openai"),
                ("gen_ai.conversation.id", "conv-" + random.Next().ToString("x8", CultureInfo.InvariantCulture)), ("session.id", random.Next().ToString("x8", CultureInfo.InvariantCulture)),
                ("enduser.id", "user-" + random.Next(10_000).ToString(CultureInfo.InvariantCulture)), ("server.address", "api.openai.com"), ("server.port", 443L),
                ("gen_ai.request.model", "gpt-4o"), ("code.namespace", "Agents.Runtime"), ("code.function", "RunAsync"), ("agent.step.limit", 25L),
            ],
            SpanShape.Chat =>
            [
                ("gen_ai.operation.name", "chat"), ("gen_ai.system", "openai"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"),
                ("gen_ai.response.model", "gpt-4o-2024-08-06"), ("gen_ai.usage.input_tokens", (long)random.Next(200, 4000)),
                ("gen_ai.usage.output_tokens", (long)random.Next(20, 800)), ("gen_ai.request.temperature", Math.Round(random.NextDouble(), 2)),
                ("gen_ai.request.max_tokens", 1024L), ("gen_ai.response.finish_reasons", "stop"),
                ("gen_ai.response.id", "chatcmpl-" + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture)), ("server.address", "api.openai.com"), ("server.port", 443L),
            ],
            SpanShape.Tool =>
            [
                ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", Pick(random, ["web_search", "fetch_page", "lookup_order"])),
                ("gen_ai.tool.call.id", "call_" + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture)), ("gen_ai.tool.type", "function"),
                ("gen_ai.system", "openai"), ("tool.arguments.size", (long)random.Next(20, 2000)), ("tool.result.size", (long)random.Next(20, 20_000)),
                ("tool.cached", random.Next(4) == 0), ("server.address", "tools.shop.svc.cluster.local"), ("server.port", 8443L),
                ("code.namespace", "Agents.Tools"), ("code.function", "InvokeAsync"), ("tool.retry", 0L),
            ],
            _ =>
            [
                ("component", "orders"), ("code.namespace", "Shop.Orders.Pricing"), ("code.function", "Compute"), ("code.lineno", (long)random.Next(20, 900)),
                ("cache.hit", random.Next(2) == 0), ("items.count", (long)random.Next(1, 40)), ("currency", "EUR"), ("tenant.region", "eu-west-1"),
                ("feature.flag.new_pricing", random.Next(2) == 0), ("order.total", Math.Round(random.NextDouble() * 500, 2)), ("customer.tier", Pick(random, ["free", "pro", "enterprise"])),
                ("retry.count", 0L), ("span.origin", "manual"),
            ],
        };
        specific.AddRange(common);
        return specific;
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static byte[] Encode(List<SpanSpec> spans) => ProtoBuilder.Message(request =>
    {
        foreach (var group in spans.GroupBy(s => s.Service))
        {
            var service = ServiceNames[group.Key];
            request.MessageField(1, rs =>
            {
                rs.MessageField(1, resource =>
                {
                    foreach (var (key, value) in new (string, object)[]
                             {
                                 ("service.name", service), ("service.version", "2.7." + group.Key.ToString(CultureInfo.InvariantCulture)),
                                 ("service.instance.id", service + "-7d9f8b6c4-x2k9q"), ("service.namespace", "shop"), ("host.name", "node-" + group.Key.ToString(CultureInfo.InvariantCulture)),
                                 ("host.arch", "amd64"), ("os.type", "linux"), ("process.pid", 4000L + group.Key), ("process.runtime.name", ".NET"),
                                 ("telemetry.sdk.name", "opentelemetry"), ("telemetry.sdk.language", "dotnet"), ("telemetry.sdk.version", "1.9.0"),
                                 ("deployment.environment.name", "production"),
                             })
                    {
                        resource.MessageField(1, Attribute(key, value));
                    }
                });
                rs.MessageField(2, ss =>
                {
                    ss.MessageField(1, scope => scope.StringField(1, "OpenTelemetry.Instrumentation.AspNetCore").StringField(2, "1.9.0"));
                    foreach (var span in group)
                    {
                        ss.MessageField(2, s => WriteSpan(s, span));
                    }
                });
                rs.StringField(3, "https://opentelemetry.io/schemas/1.26.0");
            });
        }
    });

    private static void WriteSpan(ProtoBuilder s, SpanSpec span)
    {
        var traceId = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(traceId, Marker);
        BinaryPrimitives.WriteUInt64BigEndian(traceId.AsSpan(8), (ulong)span.Trace);
        s.BytesField(1, traceId).BytesField(2, Id(span.Trace, span.SpanId));
        if (span.Parent != 0)
        {
            s.BytesField(4, Id(span.Trace, span.Parent));
        }

        s.StringField(5, span.Name).VarintField(6, (ulong)span.Kind).Fixed64Field(7, (ulong)span.Start).Fixed64Field(8, (ulong)span.End);
        foreach (var (key, value) in span.Attributes)
        {
            s.MessageField(9, Attribute(key, value));
        }

        if (span.Event is { } e)
        {
            s.MessageField(11, ev =>
            {
                ev.Fixed64Field(1, (ulong)span.End).StringField(2, e.Name);
                foreach (var (key, value) in e.Attributes)
                {
                    ev.MessageField(3, Attribute(key, value));
                }
            });
        }

        s.MessageField(15, status =>
        {
            if (span.Error)
            {
                status.StringField(2, "upstream timed out");
            }

            status.VarintField(3, span.Error ? 2UL : 0UL);
        });
        s.Fixed32Field(16, 0x100);
    }

    private static byte[] Id(int trace, ulong span)
    {
        var id = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(id, Mix(((ulong)trace << 24) ^ span));
        return id;
    }

    private static Action<ProtoBuilder> Attribute(string key, object value) => Otlp.Attribute(key, v => _ = value switch
    {
        string text => v.StringField(1, text),
        bool flag => v.VarintField(2, flag ? 1UL : 0UL),
        long number => v.VarintField(3, (ulong)number),
        double real => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(real)),
        _ => throw new ArgumentException($"unsupported attribute value {value.GetType()}", nameof(value)),
    });

    private enum SpanShape
    {
        HttpServer,
        HttpClient,
        Db,
        Internal,
        Agent,
        Chat,
        Tool,
    }

    private sealed record SpanEvent(string Name, IReadOnlyList<(string Key, object Value)> Attributes);

    private sealed record SpanSpec(
        int Trace, ulong SpanId, ulong Parent, int Service, string Name, int Kind, long Start, long End,
        List<(string Key, object Value)> Attributes, bool Error, SpanEvent? Event);

    private sealed record Template(byte[] Bytes, List<(int Offset, ulong Trace)> TraceIds);
}
