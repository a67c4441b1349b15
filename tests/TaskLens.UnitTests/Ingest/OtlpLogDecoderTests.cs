using System.Text;
using TaskLens.Core.Logs;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

public sealed class OtlpLogDecoderTests
{
    private static readonly Action<ProtoBuilder> FullRecord = r => r
        .Fixed64Field(1, 1_700_000_000_123_456_789)
        .Fixed64Field(11, 1_700_000_000_200_000_000)
        .VarintField(2, 17)
        .StringField(3, "ERROR")
        .MessageField(5, v => v.StringField(1, "tool call failed: 429"))
        .MessageField(6, Otlp.Attribute("gen_ai.tool.name", v => v.StringField(1, "search")))
        .MessageField(6, Otlp.Attribute("attempt", v => v.VarintField(3, 3)))
        .VarintField(7, 2)
        .Fixed32Field(8, 1)
        .BytesField(9, Otlp.TraceId(7))
        .BytesField(10, Otlp.SpanId(7))
        .StringField(12, "tool.error");

    [Fact]
    public void Decode_FullRecord_KeepsEveryField()
    {
        var batch = new LogBatch { Tenant = "t1" };

        var result = OtlpLogDecoder.Decode(Otlp.Request("agent", FullRecord), batch);

        Assert.Equal((1, 0, false), (result.Accepted, result.Rejected, result.IsMalformed));
        var row = Assert.Single(batch.Rows);
        Assert.Equal(1_700_000_000_123_456_789UL, row.TimeUnixNano);
        Assert.Equal(1_700_000_000_200_000_000UL, row.ObservedTimeUnixNano);
        Assert.Equal(17, row.SeverityNumber);
        Assert.Equal("ERROR", row.SeverityText);
        Assert.Equal((AttributeValueType.String, "tool call failed: 429"), (row.BodyType, row.Body));
        Assert.Equal(
            [new AttributeRecord("gen_ai.tool.name", AttributeValueType.String, "search"), new AttributeRecord("attempt", AttributeValueType.Int, "3")],
            row.Attributes);
        Assert.Equal(2u, row.DroppedAttributesCount);
        Assert.Equal(1u, row.Flags);
        Assert.Equal(0x0708090a0b0c0d0eUL, row.TraceIdHigh);
        Assert.Equal(0x0f10111213141516UL, row.TraceIdLow);
        Assert.Equal("tool.error", row.EventName);
        Assert.Equal("agent", row.Resource.ServiceName);
        Assert.Equal(("test-scope", "1.0"), (row.Scope.Name, row.Scope.Version));
    }

    [Fact]
    public void Decode_SameRecordTwice_SameFingerprint_DifferentRecord_DifferentFingerprint()
    {
        var batch = new LogBatch();
        OtlpLogDecoder.Decode(Otlp.Request("agent", FullRecord), batch);
        OtlpLogDecoder.Decode(Otlp.Request("agent", FullRecord), batch);
        OtlpLogDecoder.Decode(Otlp.Request("other-service", FullRecord), batch);

        Assert.Equal(batch.Rows[0].Fingerprint, batch.Rows[1].Fingerprint);
        Assert.NotEqual(batch.Rows[0].Fingerprint, batch.Rows[2].Fingerprint);
    }

    [Fact]
    public void Decode_BadTraceIdLength_RejectsThatRecordOnly()
    {
        var batch = new LogBatch();

        var result = OtlpLogDecoder.Decode(Otlp.Request("agent", FullRecord, r => r.BytesField(9, new byte[5]).StringField(3, "x")), batch);

        Assert.Equal((1, 1, false), (result.Accepted, result.Rejected, result.IsMalformed));
        Assert.Equal("log record 1: trace_id must be 16 bytes or empty, got 5", result.ErrorMessage);
        Assert.Single(batch.Rows);
    }

    [Fact]
    public void Decode_RecordWithoutIds_IsAccepted()
    {
        var batch = new LogBatch();

        var result = OtlpLogDecoder.Decode(Otlp.Request("agent", r => r.MessageField(5, v => v.StringField(1, "plain"))), batch);

        Assert.Equal(1, result.Accepted);
        Assert.Equal((0UL, 0UL, 0UL), (batch.Rows[0].TraceIdHigh, batch.Rows[0].TraceIdLow, batch.Rows[0].SpanId));
    }

    [Fact]
    public void Decode_Truncated_IsMalformedAndAddsNothing()
    {
        var valid = Otlp.Request("agent", FullRecord, FullRecord);
        var batch = new LogBatch();

        var result = OtlpLogDecoder.Decode(valid.AsSpan(0, valid.Length - 3), batch);

        Assert.True(result.IsMalformed);
        Assert.StartsWith("resource_logs[0]", result.MalformedReason, StringComparison.Ordinal);
        Assert.Empty(batch.Rows);
    }

    [Fact]
    public void Json_WithEverySpecQuirk_DecodesLikeTheProtobuf()
    {
        // Hex ids (mixed case), enum by name, 64-bit integers as string and as number, a snake_case key,
        // an unknown field, a kvlist body.
        const string json = """
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},
              "unknownTopLevel": {"ignored": true},
              "scopeLogs":[{"scope":{"name":"test-scope","version":"1.0"},"logRecords":[
                {"timeUnixNano":"1700000000123456789","observed_time_unix_nano":1700000000200000000,
                 "severityNumber":"SEVERITY_NUMBER_ERROR","severityText":"ERROR",
                 "body":{"stringValue":"tool call failed: 429"},
                 "attributes":[{"key":"gen_ai.tool.name","value":{"stringValue":"search"}},{"key":"attempt","value":{"intValue":"3"}}],
                 "droppedAttributesCount":2,"flags":1,
                 "traceId":"0708090A0B0C0D0E0F10111213141516","spanId":"070a0d101316191c","eventName":"tool.error",
                 "futureField":[1,2,3]}]}]}]}
            """;

        var protobuf = OtlpJsonTranscoder.TranscodeLogs(Encoding.UTF8.GetBytes(json), out var error);

        Assert.Null(error);
        var fromJson = new LogBatch();
        var fromProto = new LogBatch();
        OtlpLogDecoder.Decode(protobuf, fromJson);
        OtlpLogDecoder.Decode(Otlp.Request("agent", FullRecord), fromProto);
        Assert.Equal(Describe(fromProto.Rows[0]), Describe(fromJson.Rows[0]));
    }

    [Theory]
    [InlineData("""{"resourceLogs":{}}""", "ExportLogsServiceRequest.resourceLogs must be an array")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"soon"}]}]}]}""", "ExportLogsServiceRequest.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano must be an integer (a number or a decimal string)")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]}""", "ExportLogsServiceRequest.resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber must be an integer or a SEVERITY_NUMBER_* name")]
    [InlineData("[1,2]", "ExportLogsServiceRequest must be a JSON object")]
    public void Json_WrongShapes_AreRefusedWithThePath(string json, string expected)
    {
        Assert.Null(OtlpJsonTranscoder.TranscodeLogs(Encoding.UTF8.GetBytes(json), out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Json_NonHexTraceId_RejectsTheRecordNotTheExport()
    {
        const string json = """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"not-hex"},{"body":{"stringValue":"ok"}}]}]}]}""";

        var protobuf = OtlpJsonTranscoder.TranscodeLogs(Encoding.UTF8.GetBytes(json), out _);
        var result = OtlpLogDecoder.Decode(protobuf, new LogBatch());

        Assert.Equal((1, 1), (result.Accepted, result.Rejected));
    }

    private static string Describe(LogRow row) => string.Join('|', row.TimeUnixNano, row.ObservedTimeUnixNano, row.SeverityNumber, row.SeverityText, row.BodyType, row.Body,
        string.Join(',', row.Attributes), row.DroppedAttributesCount, row.Flags, row.TraceIdHigh, row.TraceIdLow, row.SpanId, row.EventName, row.Resource.ServiceName, row.Scope.Name, row.Scope.Version);
}
