using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Benchmarks;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Storage;

/// <summary>
/// The drainer's path (protobuf straight into RowBinary, <see cref="OtlpTraceDecoder.DecodeRows"/> and
/// <see cref="SpanRowWriter"/>) writes exactly the bytes of the path through a <see cref="SpanBatch"/> of strings
/// (<see cref="SpanBatchDecoder.Decode(ReadOnlySpan{byte}, SpanBatch)"/> and <see cref="SpanBatchRows"/>), with the same
/// decode results, for SDK-shaped exports, mutated exports, OTLP/JSON and edge cases; and the goal rollup reads the same
/// facts from either.
/// </summary>
public sealed class SpanRowWriterTests
{
    private const uint Now = 1_795_000_123;

    private static readonly byte[] Sample = Otlp.Request(
        "svc",
        Otlp.Span(1),
        s => { Otlp.Span(2)(s); s.MessageField(9, Otlp.Attribute("a", v => v.MessageField(5, a => a.MessageField(1, x => x.VarintField(3, 7))))); },
        s => s.BytesField(1, new byte[3]).BytesField(2, Otlp.SpanId(3)),
        s =>
        {
            Otlp.Span(4)(s);
            s.MessageField(11, e => e.StringField(2, "e").MessageField(3, Otlp.Attribute("x", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(2.5)))))
                .MessageField(13, l => l.BytesField(1, Otlp.TraceId(5)).BytesField(2, Otlp.SpanId(5)).StringField(3, "ts"));
        });

    public static TheoryData<string> EdgeCases => [.. Edges().Keys];

    [Fact]
    public void DecodeRows_SdkShapedRunsOfExports_WritesTheBatchPathsBytes()
    {
        var exports = Enumerable.Range(1, 6).Select(SdkExport.Create).ToArray();

        var (batchResults, batchBytes) = ViaBatch(exports, "tenant-a");
        var (rowResults, rowBytes) = Direct(exports, "tenant-a");

        Assert.Equal(batchResults, rowResults);
        Assert.Equal(6 * SdkExport.SpansPerExport, rowResults.Sum(r => r.Accepted));
        Assert.Equal(Convert.ToHexString(batchBytes), Convert.ToHexString(rowBytes));
    }

    /// <summary>
    /// The batch path above is written through <see cref="SpanRowWriter"/> too, so a change to the writer would move
    /// both sides alike: these rows are held to the bytes the writer and decoder of main e3d6ab1 wrote for the same
    /// exports (SDK-shaped, every edge case, written into a segmented body), by the first half of their SHA-256.
    /// </summary>
    [Fact]
    public async Task DecodeRows_SdkShapedAndEdgeExports_WritesTheBytesOfBefore()
    {
        var exports = Enumerable.Range(1, 6).Select(SdkExport.Create).Concat(Edges().OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value)).ToArray();
        using var rows = new RowBinaryWriter(new RowBinaryBufferPool(64 * 1024, retainBytes: 0));
        using var writer = new SpanRowWriter(rows, "tenant-a", Now);
        foreach (var export in exports)
        {
            OtlpTraceDecoder.DecodeRows(export, writer);
        }

        using var body = new MemoryStream();
        await rows.CopyToAsync(body, CancellationToken.None);

        Assert.Equal((3087, "C152DFDD9ABC163C54DBF1F038C49985"), (writer.SpanCount, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body.ToArray()))[..32]));
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void DecodeRows_EdgeCase_WritesTheBatchPathsBytes(string name)
    {
        var export = Edges()[name];

        var (batchResults, batchBytes) = ViaBatch([Sample, export, Sample], "t");
        var (rowResults, rowBytes) = Direct([Sample, export, Sample], "t");

        Assert.Equal(batchResults, rowResults);
        Assert.True(rowResults[1].Accepted > 0 || name.StartsWith("rejected", StringComparison.Ordinal), name);
        Assert.Equal(Convert.ToHexString(batchBytes), Convert.ToHexString(rowBytes));
    }

    [Fact]
    public void DecodeRows_JsonTranscodedExport_WritesTheBatchPathsBytes()
    {
        var export = OtlpJsonTranscoder.TranscodeTraces(Encoding.UTF8.GetBytes(Ingest.OtlpJsonTraceTests.EveryQuirk), out var error);
        Assert.True(export is not null, error);

        var (batchResults, batchBytes) = ViaBatch([export], "t");
        var (rowResults, rowBytes) = Direct([export], "t");

        Assert.Equal((1, 0), (rowResults[0].Accepted, rowResults[0].Rejected));
        Assert.Equal(batchResults, rowResults);
        Assert.Equal(Convert.ToHexString(batchBytes), Convert.ToHexString(rowBytes));
    }

    [Property(MaxTest = 2000)]
    public Property DecodeRows_MutatedExport_DecidesAndWritesAsTheBatchPath() =>
        Prop.ForAll(
            Gen.Choose(0, Sample.Length - 1).Zip(Gen.Choose(0, 255)).Zip(Gen.Choose(0, Sample.Length)).ToArbitrary(),
            m =>
            {
                var ((position, value), cut) = m;
                var mutated = (byte[])Sample.Clone();
                mutated[position] = (byte)value;
                mutated = mutated[..Math.Max(cut, position + 1)];
                var (batchResults, batchBytes) = ViaBatch([mutated], "t");
                var (rowResults, rowBytes) = Direct([mutated], "t");

                // A malformed export is refused by both with the same reason; the drainer discards what DecodeRows wrote.
                return batchResults[0] == rowResults[0] && (rowResults[0].IsMalformed || batchBytes.AsSpan().SequenceEqual(rowBytes));
            });

    [Property(MaxTest = 300)]
    public Property DecodeRows_RandomAttributeValues_WritesTheBatchPathsBytes() =>
        Prop.ForAll(
            ArbMap.Default.GeneratorFor<byte[]>().Zip(ArbMap.Default.GeneratorFor<long>()).Zip(ArbMap.Default.GeneratorFor<double>()).ToArbitrary(),
            m =>
            {
                var ((bytes, integer), real) = m;
                var export = Otlp.Request(
                    Encoding.Latin1.GetString(bytes),
                    s =>
                    {
                        Otlp.Span(1)(s);
                        s.MessageField(9, kv => kv.BytesField(1, bytes).MessageField(2, v => v.BytesField(1, bytes)))
                            .MessageField(9, Otlp.Attribute("b", v => v.BytesField(7, bytes)))
                            .MessageField(9, Otlp.Attribute("i", v => v.VarintField(3, (ulong)integer)))
                            .MessageField(9, Otlp.Attribute("d", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(real))))
                            .MessageField(9, Otlp.Attribute("a", v => v.MessageField(5, a => a.MessageField(1, x => x.BytesField(1, bytes)).MessageField(1, x => x.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(real))))));
                    });
                var (batchResults, batchBytes) = ViaBatch([export], "t");
                var (rowResults, rowBytes) = Direct([export], "t");
                return batchResults[0] == rowResults[0] && batchBytes.AsSpan().SequenceEqual(rowBytes);
            });

    [Fact]
    public void RunSpanReader_FromRowsAndFromTheBatch_ReadsTheSameFacts()
    {
        var exports = Enumerable.Range(1, 3).Select(SdkExport.Create).Append(Edges()["genai-goal-error"]).ToArray();
        var reader = new GoalRollup(new GoalOptions(), ModelPriceTable.Parse("""{"models": {}}""")).Reader;
        var batch = new SpanBatch();
        foreach (var export in exports)
        {
            SpanBatchDecoder.Decode(export, batch);
        }

        var fromBatch = new List<RunSpan>();
        foreach (ref readonly var span in batch.Spans)
        {
            fromBatch.Add(reader.Read(batch, span));
        }

        var facts = new FactRows(reader);
        foreach (var export in exports)
        {
            OtlpTraceDecoder.DecodeRows(export, facts);
        }

        Assert.Equal(fromBatch.Count, facts.Read.Count);
        Assert.Equal(fromBatch, facts.Read);
        Assert.Contains(facts.Read, f => f.Extras is { ErrorMessage: "rate limited", ExplicitGoal: "checkout" } && f.Model == "gpt-4o" && f.InputTokens == 12);
    }

    private static (List<OtlpDecodeResult> Results, byte[] Rows) ViaBatch(byte[][] exports, string tenant)
    {
        var batch = new SpanBatch { Tenant = tenant };
        var results = exports.Select(e => SpanBatchDecoder.Decode(e, batch)).ToList();
        using var rows = new RowBinaryWriter(1024);
        SpanBatchRows.Encode(batch, rows, Now);
        return (results, rows.WrittenMemory.ToArray());
    }

    private static (List<OtlpDecodeResult> Results, byte[] Rows) Direct(byte[][] exports, string tenant)
    {
        using var rows = new RowBinaryWriter(1024);
        using var writer = new SpanRowWriter(rows, tenant, Now);
        var results = exports.Select(e => OtlpTraceDecoder.DecodeRows(e, writer)).ToList();
        return (results, rows.WrittenMemory.ToArray());
    }

    private static Dictionary<string, byte[]> Edges()
    {
        byte[] invalid = [0x61, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98, 0x80, 0x62];
        var huge = Enumerable.Range(0, 5000).ToArray();
        return new Dictionary<string, byte[]>
        {
            ["no-resource"] = ProtoBuilder.Message(r => r.MessageField(1, rs => rs.MessageField(2, ss => ss.MessageField(2, Otlp.Span(3))))),
            ["no-scope-message"] = ProtoBuilder.Message(r => r.MessageField(1, rs => rs
                .MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "x"))))
                .MessageField(2, ss => ss.MessageField(2, Otlp.Span(3)).MessageField(2, Otlp.Span(4))))),
            ["empty-strings"] = Otlp.Request(string.Empty, s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(9)).StringField(5, "").StringField(3, "")
                .MessageField(9, Otlp.Attribute("", v => v.StringField(1, ""))).MessageField(15, st => st.StringField(2, "").VarintField(3, 1))),
            ["non-utf8"] = ProtoBuilder.Message(r => r.MessageField(1, rs => rs
                .MessageField(1, res => res.MessageField(1, kv => kv.StringField(1, "service.name").MessageField(2, v => v.BytesField(1, invalid))).MessageField(1, kv => kv.BytesField(1, invalid).MessageField(2, v => v.BytesField(1, invalid))))
                .BytesField(3, invalid)
                .MessageField(2, ss => ss
                    .MessageField(1, sc => sc.BytesField(1, invalid).BytesField(2, invalid).MessageField(3, kv => kv.BytesField(1, invalid).MessageField(2, v => v.MessageField(6, l => l.MessageField(1, x => x.BytesField(1, invalid).MessageField(2, y => y.BytesField(1, invalid)))))))
                    .BytesField(3, invalid)
                    .MessageField(2, s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(9)).BytesField(5, invalid).BytesField(3, invalid)
                        .MessageField(9, kv => kv.BytesField(1, invalid).MessageField(2, v => v.BytesField(1, invalid)))
                        .MessageField(9, kv => kv.StringField(1, "arr").MessageField(2, v => v.MessageField(5, a => a.MessageField(1, x => x.BytesField(1, invalid)))))
                        .MessageField(11, e => e.BytesField(2, invalid).MessageField(3, kv => kv.BytesField(1, invalid).MessageField(2, v => v.BytesField(1, invalid))))
                        .MessageField(13, l => l.BytesField(1, Otlp.TraceId(7)).BytesField(2, Otlp.SpanId(7)).BytesField(3, invalid))
                        .MessageField(15, st => st.BytesField(2, invalid).VarintField(3, 2)))))),
            ["huge-array"] = Otlp.Request("svc", s =>
            {
                Otlp.Span(5)(s);
                s.MessageField(9, Otlp.Attribute("many", v => v.MessageField(5, a =>
                {
                    foreach (var i in huge)
                    {
                        a.MessageField(1, x => x.StringField(1, "value-" + i));
                    }
                })));
                s.MessageField(9, Otlp.Attribute("long", v => v.StringField(1, new string('x', 100_000))));
            }),
            ["every-value-kind"] = Otlp.Request("svc", s =>
            {
                Otlp.Span(6)(s);
                s.MessageField(9, Otlp.Attribute("int", v => v.VarintField(3, unchecked((ulong)long.MinValue))))
                    .MessageField(9, Otlp.Attribute("int.small", v => v.VarintField(3, 404)))
                    .MessageField(9, Otlp.Attribute("int.neg", v => v.VarintField(3, unchecked((ulong)-1L))))
                    .MessageField(9, Otlp.Attribute("double", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(0.1))))
                    .MessageField(9, Otlp.Attribute("double.big", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(-1.7976931348623157E+308))))
                    .MessageField(9, Otlp.Attribute("double.tiny", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.Epsilon))))
                    .MessageField(9, Otlp.Attribute("double.negzero", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(-0.0))))
                    .MessageField(9, Otlp.Attribute("double.nan", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.NaN))))
                    .MessageField(9, Otlp.Attribute("double.inf", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.NegativeInfinity))))
                    .MessageField(9, Otlp.Attribute("bool", v => v.VarintField(2, 1)))
                    .MessageField(9, Otlp.Attribute("bool.false", v => v.VarintField(2, 0)))
                    .MessageField(9, Otlp.Attribute("bytes", v => v.BytesField(7, [0, 1, 2, 250, 255])))
                    .MessageField(9, Otlp.Attribute("bytes.empty", v => v.BytesField(7, [])))
                    .MessageField(9, Otlp.Attribute("empty", _ => { }))
                    .MessageField(9, Otlp.Attribute("two.members", v => v.StringField(1, "first").VarintField(3, 9)))
                    .MessageField(9, Otlp.Attribute("kv", v => v.MessageField(6, l => l
                        .MessageField(1, Otlp.Attribute("s", x => x.StringField(1, "ü \"q\" </script>")))
                        .MessageField(1, Otlp.Attribute("nested", x => x.MessageField(5, a => a.MessageField(1, y => y.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.PositiveInfinity))).MessageField(1, _ => { }))))
                        .MessageField(1, Otlp.Attribute("b", x => x.BytesField(7, [9, 8]))))))
                    .MessageField(9, kv => kv.MessageField(2, v => v.StringField(1, "value before key")).StringField(1, "reordered"));
            }),
            ["resources-and-scopes"] = ProtoBuilder.Message(r => r
                .MessageField(1, rs => rs
                    .MessageField(2, ss => ss.MessageField(1, sc => sc.StringField(1, "first").MessageField(3, Otlp.Attribute("scope.a", v => v.VarintField(2, 1))).VarintField(4, 3)).StringField(3, "scope-schema").MessageField(2, Otlp.Span(7)))
                    .MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "late"))).VarintField(2, 4))
                    .MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.VarintField(3, 5))).MessageField(1, Otlp.Attribute("k8s.namespace.name", v => v.StringField(1, "prod"))))
                    .StringField(3, "resource-schema")
                    .MessageField(2, ss => ss.MessageField(1, sc => sc.StringField(1, "second").StringField(2, "v2")).MessageField(2, Otlp.Span(8)).MessageField(2, Otlp.Span(9))))
                .MessageField(1, rs => rs.MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "other")))).MessageField(2, ss => ss.MessageField(2, Otlp.Span(10))))
                .MessageField(1, rs => rs.MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "no spans")))))),
            ["events-and-links"] = Otlp.Request("svc", s =>
            {
                Otlp.Span(11)(s);
                s.MessageField(11, e => e.Fixed64Field(1, 42).StringField(2, "one").MessageField(3, Otlp.Attribute("ea", v => v.StringField(1, "x"))).VarintField(4, 2))
                    .MessageField(13, l => l.BytesField(1, Otlp.TraceId(3)).BytesField(2, Otlp.SpanId(3)).StringField(3, "k=v").MessageField(4, Otlp.Attribute("la", v => v.VarintField(3, 1))).VarintField(5, 1).Fixed32Field(6, 257))
                    .MessageField(9, Otlp.Attribute("after", v => v.StringField(1, "events")))
                    .MessageField(11, e => e.StringField(2, "two"))
                    .MessageField(11, _ => { })
                    .VarintField(6, 3).VarintField(10, 1).VarintField(12, 2).VarintField(14, 3).Fixed32Field(16, 0x301).StringField(3, "vendor=z")
                    .BytesField(4, Otlp.SpanId(12)).MessageField(15, st => st.StringField(2, "bad").VarintField(3, 2));
            }),
            ["rejected-spans-between"] = Otlp.Request(
                "svc",
                Otlp.Span(13),
                s => s.BytesField(1, Otlp.TraceId(1)).StringField(5, "no span id").MessageField(9, Otlp.Attribute("gone", v => v.StringField(1, "x"))),
                s => { Otlp.Span(14)(s); s.MessageField(13, l => l.BytesField(1, Otlp.TraceId(1)).BytesField(2, [1, 2])); },
                Otlp.Span(15)),
            ["genai-goal-error"] = Otlp.Request("agent", s =>
            {
                Otlp.Span(16, "invoke_agent checkout")(s);
                s.MessageField(9, Otlp.Attribute("gen_ai.operation.name", v => v.StringField(1, "chat")))
                    .MessageField(9, Otlp.Attribute("gen_ai.request.model", v => v.StringField(1, "gpt-4o")))
                    .MessageField(9, Otlp.Attribute("gen_ai.usage.input_tokens", v => v.VarintField(3, 12)))
                    .MessageField(9, Otlp.Attribute("gen_ai.usage.output_tokens", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(7.9))))
                    .MessageField(9, Otlp.Attribute("tasklens.goal.name", v => v.StringField(1, "checkout")))
                    .MessageField(9, Otlp.Attribute("gen_ai.tool.call.id", v => v.StringField(1, "call-1")))
                    .MessageField(9, Otlp.Attribute("http.response.status_code", v => v.VarintField(3, 429)))
                    .MessageField(9, Otlp.Attribute("error.type", v => v.StringField(1, "rate limited")))
                    .MessageField(15, st => st.VarintField(3, 2));
            }),
        };
    }

    /// <summary>Reads each span's goal facts as <see cref="GoalObservedSpanRun"/> does.</summary>
    private sealed class FactRows(RunSpanReader reader) : ISpanRowWriter
    {
        private string _service = "";

        public List<RunSpan> Read { get; } = [];

        public void Resource(Utf8SpanParts parts, in Utf8Resource resource) => _service = reader.Service(parts.Text(resource.ServiceName));

        public void Scope(Utf8SpanParts parts, in Utf8Scope scope)
        {
        }

        public void Span(Utf8SpanParts parts, in Utf8Span span) => Read.Add(reader.Read(parts, span, _service));
    }
}
