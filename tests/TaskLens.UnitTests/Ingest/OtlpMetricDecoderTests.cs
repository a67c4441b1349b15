using System.Text;
using TaskLens.Core.Metrics;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

public sealed class OtlpMetricDecoderTests
{
    private const ulong T0 = 1_700_000_000_000_000_000;
    private const ulong T1 = 1_700_000_060_000_000_000;

    private static Action<ProtoBuilder> Point(int attributesField, Action<ProtoBuilder> rest) => p =>
    {
        p.MessageField(attributesField, Otlp.Attribute("goal", v => v.StringField(1, "triage")));
        p.Fixed64Field(2, T0).Fixed64Field(3, T1);
        rest(p);
    };

    private static Action<ProtoBuilder> Metric(string name, int dataField, Action<ProtoBuilder> data) => m => m
        .StringField(1, name).StringField(2, "what it counts").StringField(3, "{task}").MessageField(dataField, data);

    private static readonly Action<ProtoBuilder> Exemplar = e => e
        .MessageField(7, Otlp.Attribute("tool", v => v.StringField(1, "search")))
        .Fixed64Field(2, T1 - 5)
        .Fixed64Field(6, unchecked((ulong)-42L))
        .BytesField(4, Otlp.SpanId(3))
        .BytesField(5, Otlp.TraceId(3));

    private static readonly byte[] AllKinds = Otlp.Request(
        "agent",
        Metric("tasks.queued", 5, g => g.MessageField(1, Point(7, p => p.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(2.5)).MessageField(5, Exemplar)))),
        Metric("tasks.completed", 7, s => s.MessageField(1, Point(7, p => p.Fixed64Field(6, 12))).VarintField(2, 2).VarintField(3, 1)),
        Metric("task.duration", 9, h => h.MessageField(1, Point(9, p => p
            .Fixed64Field(4, 6).Fixed64Field(5, BitConverter.DoubleToUInt64Bits(3.25))
            .BytesField(6, [.. new ulong[] { 1, 2, 3 }.SelectMany(BitConverter.GetBytes)])
            .BytesField(7, [.. new[] { 0.5, 1.0 }.SelectMany(BitConverter.GetBytes)])
            .Fixed64Field(11, BitConverter.DoubleToUInt64Bits(0.1)).Fixed64Field(12, BitConverter.DoubleToUInt64Bits(1.9))))
            .VarintField(2, 1)),
        Metric("task.tokens", 10, e => e.MessageField(1, Point(1, p => p
            .Fixed64Field(4, 5).Fixed64Field(5, BitConverter.DoubleToUInt64Bits(40))
            .VarintField(6, 5) // sint32 -3
            .Fixed64Field(7, 1)
            .MessageField(8, b => b.VarintField(1, 4).BytesField(2, [1, 2, 1])) // offset 2
            .MessageField(9, b => b.VarintField(1, 1).VarintField(2, 0)) // offset -1, one count of 0
            .Fixed64Field(14, BitConverter.DoubleToUInt64Bits(0.001))))
            .VarintField(2, 2)),
        Metric("llm.latency", 11, s => s.MessageField(1, Point(7, p => p
            .Fixed64Field(4, 10).Fixed64Field(5, BitConverter.DoubleToUInt64Bits(12))
            .MessageField(6, q => q.Fixed64Field(1, BitConverter.DoubleToUInt64Bits(0.5)).Fixed64Field(2, BitConverter.DoubleToUInt64Bits(1.1)))
            .MessageField(6, q => q.Fixed64Field(1, BitConverter.DoubleToUInt64Bits(0.99)).Fixed64Field(2, BitConverter.DoubleToUInt64Bits(2.2)))))));

    [Fact]
    public void Decode_EveryMetricKind_KeepsEveryField()
    {
        var batch = new MetricBatch();

        var result = OtlpMetricDecoder.Decode(AllKinds, batch);

        Assert.Equal((5, 0, false), (result.Accepted, result.Rejected, result.IsMalformed));
        var byName = batch.Points.ToDictionary(p => p.Name);

        var gauge = byName["tasks.queued"];
        Assert.Equal((MetricType.Gauge, 2.5, false, 0), (gauge.Type, gauge.Value, gauge.IsInteger, gauge.Temporality));
        Assert.Equal(("what it counts", "{task}", T0, T1), (gauge.Description, gauge.Unit, gauge.StartTimeUnixNano, gauge.TimeUnixNano));
        var exemplar = Assert.Single(gauge.Exemplars);
        Assert.Equal((T1 - 5, -42.0, 0x030405060708090aUL, "tool"), (exemplar.TimeUnixNano, exemplar.Value, exemplar.TraceIdHigh, exemplar.FilteredAttributes[0].Key));

        var sum = byName["tasks.completed"];
        Assert.Equal((MetricType.Sum, 12.0, true, 2, true), (sum.Type, sum.Value, sum.IsInteger, sum.Temporality, sum.IsMonotonic));

        var histogram = byName["task.duration"];
        Assert.Equal((MetricType.Histogram, 6UL, 3.25, 0.1, 1.9, 1), (histogram.Type, histogram.Count, histogram.Sum, histogram.Min, histogram.Max, histogram.Temporality));
        Assert.Equal([1UL, 2, 3], histogram.BucketCounts);
        Assert.Equal([0.5, 1.0], histogram.ExplicitBounds);

        var exponential = byName["task.tokens"];
        Assert.Equal((MetricType.ExponentialHistogram, 5UL, 40.0, -3, 1UL, 0.001), (exponential.Type, exponential.Count, exponential.Sum, exponential.Scale, exponential.ZeroCount, exponential.ZeroThreshold));
        Assert.Equal((2, -1), (exponential.PositiveOffset, exponential.NegativeOffset));
        Assert.Equal([1UL, 2, 1], exponential.PositiveBucketCounts);
        Assert.Equal([0UL], exponential.NegativeBucketCounts);
        Assert.Equal("goal", Assert.Single(exponential.Attributes).Key);

        var summary = byName["llm.latency"];
        Assert.Equal((MetricType.Summary, 10UL, 12.0), (summary.Type, summary.Count, summary.Sum));
        Assert.Equal([0.5, 0.99], summary.Quantiles);
        Assert.Equal([1.1, 2.2], summary.QuantileValues);
    }

    [Fact]
    public void Decode_UnpackedBucketCounts_EqualPacked()
    {
        var unpacked = Otlp.Request("agent", Metric("h", 9, h => h.MessageField(1, Point(9, p => p
            .Fixed64Field(4, 6).Fixed64Field(6, 1).Fixed64Field(6, 2).Fixed64Field(6, 3)
            .Fixed64Field(7, BitConverter.DoubleToUInt64Bits(0.5)).Fixed64Field(7, BitConverter.DoubleToUInt64Bits(1.0))))));
        var batch = new MetricBatch();

        OtlpMetricDecoder.Decode(unpacked, batch);

        Assert.Equal([1UL, 2, 3], batch.Points[0].BucketCounts);
        Assert.Equal([0.5, 1.0], batch.Points[0].ExplicitBounds);
    }

    [Fact]
    public void Decode_SameSeries_SameFingerprint_OtherAttributes_Different()
    {
        var batch = new MetricBatch();
        OtlpMetricDecoder.Decode(AllKinds, batch);
        OtlpMetricDecoder.Decode(AllKinds, batch);
        OtlpMetricDecoder.Decode(Otlp.Request("agent", Metric("tasks.completed", 7, s => s.MessageField(1, p => p
            .MessageField(7, Otlp.Attribute("goal", v => v.StringField(1, "other"))).Fixed64Field(3, T1).Fixed64Field(6, 1)))), batch);

        Assert.Equal(batch.Points[1].SeriesFingerprint, batch.Points[6].SeriesFingerprint);
        Assert.NotEqual(batch.Points[1].SeriesFingerprint, batch.Points[10].SeriesFingerprint);
    }

    [Fact]
    public void Decode_InvalidPoints_AreRejectedOneByOne()
    {
        var request = Otlp.Request(
            "agent",
            Metric("no.time", 5, g => g.MessageField(1, p => p.Fixed64Field(4, 1))),
            Metric("bad.buckets", 9, h => h.MessageField(1, p => p.Fixed64Field(3, T1).Fixed64Field(6, 1).Fixed64Field(6, 2).Fixed64Field(6, 3).Fixed64Field(7, 0))),
            Metric(string.Empty, 5, g => g.MessageField(1, p => p.Fixed64Field(3, T1))),
            Metric("bad.exemplar", 5, g => g.MessageField(1, p => p.Fixed64Field(3, T1).MessageField(5, e => e.BytesField(5, new byte[4])))),
            Metric("fine", 5, g => g.MessageField(1, p => p.Fixed64Field(3, T1).Fixed64Field(4, 0))));
        var batch = new MetricBatch();

        var result = OtlpMetricDecoder.Decode(request, batch);

        Assert.Equal((1, 4, false), (result.Accepted, result.Rejected, result.IsMalformed));
        Assert.Equal("metric 'no.time' point 0: time_unix_nano is missing", result.ErrorMessage);
        Assert.Equal("fine", Assert.Single(batch.Points).Name);
    }

    [Fact]
    public void Decode_WrongWireTypeInPoint_IsMalformedWithPath()
    {
        var request = Otlp.Request("agent", Metric("m", 5, g => g.MessageField(1, p => p.VarintField(3, 5))));

        var result = OtlpMetricDecoder.Decode(request, new MetricBatch());

        Assert.True(result.IsMalformed);
        Assert.StartsWith("resource_metrics[0].scope_metrics[0].metrics[0].data_points[0].field 3", result.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_AllKinds_DecodesLikeTheProtobuf()
    {
        const string json = """
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},
             "scopeMetrics":[{"scope":{"name":"test-scope","version":"1.0"},"metrics":[
              {"name":"tasks.queued","description":"what it counts","unit":"{task}","gauge":{"dataPoints":[
                {"attributes":[{"key":"goal","value":{"stringValue":"triage"}}],"startTimeUnixNano":"1700000000000000000","timeUnixNano":1700000060000000000,"asDouble":2.5,
                 "exemplars":[{"filteredAttributes":[{"key":"tool","value":{"stringValue":"search"}}],"timeUnixNano":"1700000059999999995","asInt":"-42",
                   "spanId":"03060912151821241","traceId":"030405060708090A0B0C0D0E0F101112"}]}]}},
              {"name":"tasks.completed","description":"what it counts","unit":"{task}","sum":{"dataPoints":[
                {"attributes":[{"key":"goal","value":{"stringValue":"triage"}}],"startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000060000000000","asInt":"12"}],
                "aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","isMonotonic":true}},
              {"name":"task.duration","description":"what it counts","unit":"{task}","histogram":{"dataPoints":[
                {"attributes":[{"key":"goal","value":{"stringValue":"triage"}}],"startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000060000000000",
                 "count":"6","sum":3.25,"bucketCounts":["1",2,"3"],"explicitBounds":[0.5,1],"min":0.1,"max":1.9}],"aggregationTemporality":1}},
              {"name":"task.tokens","description":"what it counts","unit":"{task}","exponentialHistogram":{"dataPoints":[
                {"attributes":[{"key":"goal","value":{"stringValue":"triage"}}],"startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000060000000000",
                 "count":"5","sum":40,"scale":-3,"zeroCount":"1","positive":{"offset":2,"bucketCounts":["1","2","1"]},"negative":{"offset":-1,"bucketCounts":["0"]},
                 "zero_threshold":0.001}],"aggregationTemporality":2}},
              {"name":"llm.latency","description":"what it counts","unit":"{task}","summary":{"dataPoints":[
                {"attributes":[{"key":"goal","value":{"stringValue":"triage"}}],"startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000060000000000",
                 "count":"10","sum":12,"quantileValues":[{"quantile":0.5,"value":1.1},{"quantile":0.99,"value":2.2}]}]}}
             ]}]}]}
            """;

        var protobuf = OtlpJsonTranscoder.TranscodeMetrics(Encoding.UTF8.GetBytes(json.Replace("03060912151821241", "0306090c0f121518", StringComparison.Ordinal)), out var error);

        Assert.Null(error);
        var fromJson = new MetricBatch();
        var fromProto = new MetricBatch();
        Assert.Equal(5, OtlpMetricDecoder.Decode(protobuf, fromJson).Accepted);
        OtlpMetricDecoder.Decode(AllKinds, fromProto);
        Assert.Equal(fromProto.Points.Select(Describe), fromJson.Points.Select(Describe));
    }

    [Fact]
    public void Json_NonFiniteDoubles_AreAccepted()
    {
        const string json = """{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"1","asDouble":"NaN"},{"timeUnixNano":"2","asDouble":"-Infinity"}]}}]}]}]}""";
        var batch = new MetricBatch();

        OtlpMetricDecoder.Decode(OtlpJsonTranscoder.TranscodeMetrics(Encoding.UTF8.GetBytes(json), out _), batch);

        Assert.True(double.IsNaN(batch.Points[0].Value));
        Assert.Equal(double.NegativeInfinity, batch.Points[1].Value);
    }

    private static string Describe(MetricPoint p) => string.Join('|', p.Name, p.Description, p.Unit, p.Type, p.Temporality, p.IsMonotonic, string.Join(',', p.Attributes),
        p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, p.Value, p.IsInteger, p.Count, p.Sum, p.Min, p.Max, string.Join(',', p.BucketCounts), string.Join(',', p.ExplicitBounds),
        p.Scale, p.ZeroCount, p.ZeroThreshold, p.PositiveOffset, string.Join(',', p.PositiveBucketCounts), p.NegativeOffset, string.Join(',', p.NegativeBucketCounts),
        string.Join(',', p.Quantiles), string.Join(',', p.QuantileValues),
        string.Join(';', p.Exemplars.Select(e => $"{e.TimeUnixNano},{e.Value},{e.TraceIdHigh},{e.TraceIdLow},{e.SpanId},{string.Join(',', e.FilteredAttributes)}")),
        p.SeriesFingerprint);
}
