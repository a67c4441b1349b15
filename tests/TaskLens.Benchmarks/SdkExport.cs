using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks;

/// <summary>
/// Exports shaped like what OpenTelemetry SDKs and collectors send: 512 spans that interleave many traces over
/// several services (one ResourceSpans per service), ~15 attributes a span (HTTP, DB, GenAI, RPC mixes), an event on
/// 6% of spans and an error status on 5%. Deterministic for a seed, so stage benchmarks compare like with like.
/// </summary>
internal static class SdkExport
{
    public const int SpansPerExport = 512;
    private const int Services = 10;
    private const int ServicesPerExport = 4;
    private const ulong BaseTime = 1_795_000_000_000_000_000UL;

    private static readonly string[] ServiceNames =
        [.. Enumerable.Range(0, Services).Select(i => i switch { 0 => "planner-agent", 1 => "research-agent", 2 => "tool-gateway", 3 => "llm-proxy", _ => $"svc-{i}" })];

    /// <summary>An export of <see cref="SpansPerExport"/> spans; <paramref name="seed"/> makes its ids unique.</summary>
    public static byte[] Create(int seed)
    {
        var random = new Random(seed);

        // Spans of ~12 traces in flight, each export carrying a slice of each: traces of 20-200 spans spread over exports.
        var traces = Enumerable.Range(0, 12).Select(t => TraceId(seed, t)).ToArray();
        var byService = new List<Action<ProtoBuilder>>[ServicesPerExport];
        for (var s = 0; s < ServicesPerExport; s++)
        {
            byService[s] = [];
        }

        for (var i = 0; i < SpansPerExport; i++)
        {
            var trace = traces[random.Next(traces.Length)];
            var spanSeed = ((ulong)seed << 20) | (uint)(i + 1);
            var start = BaseTime + ((ulong)seed * 1_000_000_000UL) + ((ulong)i * 1_000_000UL);
            byService[i % ServicesPerExport].Add(Span(random, trace, spanSeed, i == 0 ? 0 : spanSeed - 1, start));
        }

        return ProtoBuilder.Message(r =>
        {
            for (var s = 0; s < ServicesPerExport; s++)
            {
                var service = ServiceNames[((seed * ServicesPerExport) + s) % Services];
                var spans = byService[s];
                r.MessageField(1, rs =>
                {
                    rs.MessageField(1, res => res
                        .MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, service)))
                        .MessageField(1, Otlp.Attribute("service.version", v => v.StringField(1, "2.3.1")))
                        .MessageField(1, Otlp.Attribute("service.instance.id", v => v.StringField(1, $"{service}-7d9f8c-{s}")))
                        .MessageField(1, Otlp.Attribute("deployment.environment.name", v => v.StringField(1, "production")))
                        .MessageField(1, Otlp.Attribute("telemetry.sdk.language", v => v.StringField(1, "python")))
                        .MessageField(1, Otlp.Attribute("telemetry.sdk.name", v => v.StringField(1, "opentelemetry")))
                        .MessageField(1, Otlp.Attribute("telemetry.sdk.version", v => v.StringField(1, "1.29.0"))));
                    rs.MessageField(2, ss =>
                    {
                        ss.MessageField(1, scope => scope.StringField(1, "opentelemetry.instrumentation.openai").StringField(2, "0.50b0"));
                        foreach (var span in spans)
                        {
                            ss.MessageField(2, span);
                        }
                    });
                });
            }
        });
    }

    private static byte[] TraceId(int seed, int trace) =>
        [.. BitConverter.GetBytes(((long)seed << 8) | (uint)trace | 0x10000L), .. BitConverter.GetBytes(0x0123456789ABCDEFL ^ ((long)seed * 31) ^ trace)];

    private static Action<ProtoBuilder> Span(Random random, byte[] trace, ulong id, ulong parent, ulong start)
    {
        var kind = random.Next(4);
        var error = random.Next(100) < 5;
        var withEvent = random.Next(100) < 6;
        var duration = (ulong)random.Next(1_000_000, 2_000_000_000);
        return s =>
        {
            s.BytesField(1, trace).BytesField(2, BitConverter.GetBytes(id));
            if (parent != 0)
            {
                s.BytesField(4, BitConverter.GetBytes(parent));
            }

            s.StringField(5, kind switch { 0 => "chat gpt-4o", 1 => "execute_tool web_search", 2 => "SELECT orders", _ => "GET /api/v1/documents/{id}" })
                .VarintField(6, kind == 3 ? 2UL : 3UL)
                .Fixed64Field(7, start)
                .Fixed64Field(8, start + duration);
            Attributes(s, kind, random);
            if (withEvent)
            {
                s.MessageField(11, e => e.Fixed64Field(1, start + 1000).StringField(2, "exception")
                    .MessageField(3, Otlp.Attribute("exception.type", v => v.StringField(1, "System.TimeoutException")))
                    .MessageField(3, Otlp.Attribute("exception.message", v => v.StringField(1, "The operation has timed out after 30 seconds."))));
            }

            s.MessageField(15, st =>
            {
                if (error)
                {
                    st.StringField(2, "upstream timed out").VarintField(3, 2);
                }
                else
                {
                    st.VarintField(3, 0);
                }
            });
        };
    }

    /// <summary>Fifteen attributes: the common ones every instrumentation adds, then those of the span's kind.</summary>
    private static void Attributes(ProtoBuilder s, int kind, Random random)
    {
        void Text(string key, string value) => s.MessageField(9, Otlp.Attribute(key, v => v.StringField(1, value)));
        void Number(string key, long value) => s.MessageField(9, Otlp.Attribute(key, v => v.VarintField(3, (ulong)value)));

        Text("thread.name", "worker-3");
        Number("thread.id", 41 + random.Next(8));
        Text("code.function.name", "handle_request");
        Text("code.file.path", "/app/src/handlers/agent_step.py");
        Number("code.line.number", 120 + random.Next(300));
        Text("session.id", $"sess-{random.Next(1000):x8}");
        switch (kind)
        {
            case 0:
                Text("gen_ai.operation.name", "chat");
                Text("gen_ai.system", "openai");
                Text("gen_ai.request.model", "gpt-4o");
                Text("gen_ai.response.model", "gpt-4o-2024-08-06");
                Number("gen_ai.usage.input_tokens", 800 + random.Next(4000));
                Number("gen_ai.usage.output_tokens", 50 + random.Next(800));
                Text("gen_ai.response.id", $"chatcmpl-{random.NextInt64():x16}");
                Text("gen_ai.response.finish_reasons", "stop");
                Number("gen_ai.request.max_tokens", 4096);
                break;
            case 1:
                Text("gen_ai.operation.name", "execute_tool");
                Text("gen_ai.tool.name", "web_search");
                Text("gen_ai.tool.call.id", $"call_{random.NextInt64():x16}");
                Text("gen_ai.tool.type", "function");
                Text("gen_ai.agent.name", "research");
                Text("server.address", "search.internal");
                Number("server.port", 443);
                Text("url.full", "https://search.internal/v2/query?q=agent+observability");
                Text("network.protocol.version", "1.1");
                break;
            case 2:
                Text("db.system.name", "postgresql");
                Text("db.namespace", "orders");
                Text("db.operation.name", "SELECT");
                Text("db.collection.name", "orders");
                Text("db.query.text", "SELECT id, status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 50");
                Text("server.address", "pg-primary.internal");
                Number("server.port", 5432);
                Number("db.response.returned_rows", random.Next(50));
                Text("network.peer.address", "10.0.3.17");
                break;
            default:
                Text("http.request.method", "GET");
                Text("http.route", "/api/v1/documents/{id}");
                Text("url.path", $"/api/v1/documents/{random.Next(100_000)}");
                Text("url.scheme", "https");
                Number("http.response.status_code", random.Next(100) < 3 ? 429 : 200);
                Text("server.address", "docs.internal");
                Number("server.port", 8443);
                Text("user_agent.original", "python-requests/2.32.3");
                Text("network.protocol.version", "2");
                break;
        }
    }
}
