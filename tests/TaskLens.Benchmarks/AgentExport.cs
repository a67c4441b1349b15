using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks;

/// <summary>
/// A typical agent export: one goal — its <c>invoke_agent</c> span and its burst of LLM and tool sub-tasks with GenAI
/// attributes — as an OpenTelemetry SDK sends it (one resource, one scope, many spans).
/// </summary>
internal static class AgentExport
{
    /// <summary>
    /// An export of <paramref name="spans"/> spans (the goal span and its sub-tasks); <paramref name="seed"/> makes its
    /// trace and span ids unique.
    /// </summary>
    public static byte[] Create(int spans, int seed = 0)
    {
        var trace = BitConverter.GetBytes(((long)seed << 8) | 0x5A).Concat(BitConverter.GetBytes(0x0123456789ABCDEFL + seed)).ToArray();
        return ProtoBuilder.Message(r => r.MessageField(1, rs =>
        {
            rs.MessageField(1, res => res
                .MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "research-agent")))
                .MessageField(1, Otlp.Attribute("service.version", v => v.StringField(1, "1.4.2")))
                .MessageField(1, Otlp.Attribute("telemetry.sdk.language", v => v.StringField(1, "dotnet"))));
            rs.MessageField(2, ss =>
            {
                ss.MessageField(1, scope => scope.StringField(1, "agent.framework").StringField(2, "0.9.0"));
                ss.MessageField(2, s => s
                    .BytesField(1, trace)
                    .BytesField(2, Otlp.SpanId(1))
                    .StringField(5, "invoke_agent research")
                    .VarintField(6, 1)
                    .Fixed64Field(7, 1_795_000_000_000_000_000UL)
                    .Fixed64Field(8, 1_795_000_001_000_000_000UL)
                    .MessageField(9, Otlp.Attribute("gen_ai.operation.name", v => v.StringField(1, "invoke_agent")))
                    .MessageField(9, Otlp.Attribute("gen_ai.agent.name", v => v.StringField(1, "research")))
                    .MessageField(15, st => st.VarintField(3, 0)));
                for (var i = 1; i < spans; i++)
                {
                    var id = BitConverter.GetBytes(((ulong)seed << 32) | ((ulong)i + 1));
                    var llm = i % 2 == 0;
                    ss.MessageField(2, s => s
                        .BytesField(1, trace)
                        .BytesField(2, id)
                        .BytesField(4, Otlp.SpanId(1))
                        .StringField(5, llm ? "chat gpt-4o" : "execute_tool web_search")
                        .VarintField(6, 3)
                        .Fixed64Field(7, 1_795_000_000_000_000_000UL + ((ulong)i * 1000))
                        .Fixed64Field(8, 1_795_000_000_250_000_000UL + ((ulong)i * 1000))
                        .MessageField(9, Otlp.Attribute("gen_ai.operation.name", v => v.StringField(1, llm ? "chat" : "execute_tool")))
                        .MessageField(9, Otlp.Attribute(llm ? "gen_ai.request.model" : "gen_ai.tool.name", v => v.StringField(1, llm ? "gpt-4o" : "web_search")))
                        .MessageField(9, Otlp.Attribute("gen_ai.usage.input_tokens", v => v.VarintField(3, 1200)))
                        .MessageField(9, Otlp.Attribute("gen_ai.usage.output_tokens", v => v.VarintField(3, 300)))
                        .MessageField(15, st => st.VarintField(3, 0)));
                }
            });
        }));
    }
}
