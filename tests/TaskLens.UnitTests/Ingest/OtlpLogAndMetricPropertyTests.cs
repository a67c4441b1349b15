using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

/// <summary>
/// The log and metric decoders and the JSON transcoder never throw: any input is either refused whole with a
/// reason and adds nothing, or adds exactly the items it counts as accepted. And JSON that the transcoder accepts
/// decodes to the same records as protobuf written from the same values.
/// </summary>
public sealed class OtlpLogAndMetricPropertyTests
{
    private static readonly byte[] ValidLogs = Otlp.Request(
        "svc",
        r => r.Fixed64Field(1, 5).VarintField(2, 9).MessageField(5, v => v.StringField(1, "hello")).BytesField(9, Otlp.TraceId(1)).BytesField(10, Otlp.SpanId(1)),
        r => r.BytesField(9, new byte[3]),
        r => r.MessageField(6, Otlp.Attribute("k", v => v.MessageField(6, l => l.MessageField(1, Otlp.Attribute("n", x => x.VarintField(3, 1)))))));

    private static readonly byte[] ValidMetrics = Otlp.Request(
        "svc",
        m => m.StringField(1, "g").MessageField(5, g => g.MessageField(1, p => p.Fixed64Field(3, 9).Fixed64Field(4, 1)).MessageField(1, p => p.Fixed64Field(4, 1))),
        m => m.StringField(1, "h").MessageField(9, h => h.MessageField(1, p => p.Fixed64Field(3, 9).Fixed64Field(6, 1).Fixed64Field(6, 1).Fixed64Field(7, 0))),
        m => m.StringField(1, "e").MessageField(10, h => h.MessageField(1, p => p.Fixed64Field(3, 9).MessageField(8, b => b.VarintField(1, 3).BytesField(2, [1, 2])))));

    [Property(MaxTest = 1000)]
    public bool Logs_AnyBytes_NeverThrow(byte[] input) => LogsHold(input);

    [Property(MaxTest = 1000)]
    public bool Metrics_AnyBytes_NeverThrow(byte[] input) => MetricsHold(input);

    [Property(MaxTest = 2000)]
    public Property MutatedValidRequests_NeverThrow() =>
        Prop.ForAll(
            Gen.Choose(0, 255).Zip(Gen.Choose(0, 10_000)).Zip(Gen.Choose(0, 10_000)).ToArbitrary(),
            m =>
            {
                var ((value, position), cut) = m;
                return Mutate(ValidLogs, value, position, cut).All(LogsHold) && Mutate(ValidMetrics, value, position, cut).All(MetricsHold);
            });

    [Property(MaxTest = 1000)]
    public bool Transcoder_AnyText_NeverThrows(string? text)
    {
        var bytes = Encoding.UTF8.GetBytes(text ?? string.Empty);
        var logs = OtlpJsonTranscoder.TranscodeLogs(bytes, out var logError);
        var metrics = OtlpJsonTranscoder.TranscodeMetrics(bytes, out var metricError);
        return (logs is null) == (logError is not null) && (metrics is null) == (metricError is not null);
    }

    [Property(MaxTest = 500)]
    public Property JsonAndProtobuf_OfTheSameLogRecord_DecodeAlike() =>
        Prop.ForAll(
            ArbMap.Default.GeneratorFor<(ulong Time, byte Severity, string Body, long Number, bool Flag)>().ToArbitrary(),
            v =>
            {
                var body = v.Body ?? string.Empty;
                var severity = v.Severity % 25;
                var proto = Otlp.Request("svc", r => r
                    .Fixed64Field(1, v.Time).VarintField(2, (ulong)severity).MessageField(5, b => b.StringField(1, body))
                    .MessageField(6, Otlp.Attribute("n", x => x.VarintField(3, unchecked((ulong)v.Number))))
                    .MessageField(6, Otlp.Attribute("f", x => x.VarintField(2, v.Flag ? 1UL : 0UL))));
                var json = $$$"""
                    {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeLogs":[{"scope":{"name":"test-scope","version":"1.0"},
                     "logRecords":[{"timeUnixNano":"{{{v.Time}}}","severityNumber":{{{severity}}},"body":{"stringValue": {{{System.Text.Json.JsonSerializer.Serialize(body)}}} },
                     "attributes":[{"key":"n","value":{"intValue": {{{v.Number}}} }},{"key":"f","value":{"boolValue": {{{(v.Flag ? "true" : "false")}}} }}]}]}]}]}
                    """;
                var fromProto = new LogBatch();
                var fromJson = new LogBatch();
                OtlpLogDecoder.Decode(proto, fromProto);
                OtlpLogDecoder.Decode(OtlpJsonTranscoder.TranscodeLogs(Encoding.UTF8.GetBytes(json), out _), fromJson);
                return fromProto.Rows.Count == 1 && fromJson.Rows.Count == 1 && Describe(fromProto.Rows[0]) == Describe(fromJson.Rows[0]);
            });

    /// <summary>Every field, the fingerprint included (records compare their lists by reference).</summary>
    private static string Describe(LogRow row) => string.Join('|', row.TimeUnixNano, row.SeverityNumber, row.BodyType, row.Body, string.Join(',', row.Attributes),
        row.Resource.ServiceName, string.Join(',', row.Resource.Attributes), row.Scope.Name, row.Scope.Version, row.Fingerprint);

    private static IEnumerable<byte[]> Mutate(byte[] valid, int value, int position, int cut)
    {
        var mutated = (byte[])valid.Clone();
        mutated[position % mutated.Length] = (byte)value;
        yield return mutated;
        yield return mutated.AsSpan(0, cut % (mutated.Length + 1)).ToArray();
    }

    private static bool LogsHold(byte[] input)
    {
        var batch = new LogBatch();
        OtlpLogDecoder.Decode(ValidLogs, batch);
        var before = batch.Rows.Count;
        var result = OtlpLogDecoder.Decode(input, batch);
        return result.IsMalformed
            ? !string.IsNullOrEmpty(result.MalformedReason) && batch.Rows.Count == before
            : batch.Rows.Count == before + result.Accepted && (result.Rejected == 0) == (result.ErrorMessage is null);
    }

    private static bool MetricsHold(byte[] input)
    {
        var batch = new MetricBatch();
        OtlpMetricDecoder.Decode(ValidMetrics, batch);
        var before = batch.Points.Count;
        var result = OtlpMetricDecoder.Decode(input, batch);
        return result.IsMalformed
            ? !string.IsNullOrEmpty(result.MalformedReason) && batch.Points.Count == before
            : batch.Points.Count == before + result.Accepted && (result.Rejected == 0) == (result.ErrorMessage is null);
    }
}
