using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Spool;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks.Fuzz;

/// <summary>
/// The decoders' property tests at volume, as a bench step (the unit tests run a few thousand inputs each): FsCheck
/// generates at least <c>total</c> inputs — arbitrary bytes, and valid requests with bytes changed, cut short or
/// repeated — for every decoder that reads bytes a client or the disk sends. A crash is an exception thrown out of a
/// decoder (target 0); a violation is an answer that breaks the decoder's contract (accepted + rejected counted,
/// a malformed answer with a reason and nothing added). Writes <c>fuzz.md</c>.
/// </summary>
internal static class DecoderFuzz
{
    public static int Run(long total, string output)
    {
        var targets = Targets();
        var perTarget = (int)Math.Ceiling(total / (double)targets.Count);
        var report = new StringBuilder()
            .AppendLine("| decoder | inputs | crashes | contract violations | seconds | first crash |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | --- |");
        long inputs = 0, crashes = 0;
        foreach (var (name, sample, property) in targets)
        {
            var tally = new Tally();
            var clock = Stopwatch.StartNew();
            var config = Config.Quick.WithMaxTest(perTarget).WithQuietOnSuccess(true).WithEndSize(200);
            Check.One(config, Prop.ForAll(Inputs(sample).ToArbitrary(), input => tally.Try(property, input)));
            clock.Stop();
            inputs += tally.Inputs;
            crashes += tally.Crashes;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {tally.Inputs:N0} | {tally.Crashes} | {tally.Violations} | {clock.Elapsed.TotalSeconds:0.0} | {tally.FirstCrash ?? "—"} |");
            Console.WriteLine($"fuzz {name}: {tally.Inputs:N0} inputs, {tally.Crashes} crashes, {tally.Violations} violations, {clock.Elapsed.TotalSeconds:0.0} s");
        }

        report.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{inputs:N0} generated inputs in all; {crashes} crashes (target 0).");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "fuzz.md"), report.ToString());
        if (crashes > 0)
        {
            Console.Error.WriteLine($"fuzz: {crashes} decoder crashes; see {Path.Combine(output, "fuzz.md")}");
        }

        return 0;
    }

    /// <summary>Arbitrary bytes a third of the time; otherwise the valid sample with bytes changed, cut short or repeated.</summary>
    private static Gen<byte[]> Inputs(byte[] sample)
    {
        var position = Gen.Choose(0, sample.Length - 1);
        var changed = position.Zip(Gen.Choose(0, 255)).Zip(Gen.Choose(1, 4)).Select(m =>
        {
            var ((at, value), count) = m;
            var copy = (byte[])sample.Clone();
            for (var i = 0; i < count && at + i < copy.Length; i++)
            {
                copy[at + i] = (byte)(value + (i * 67));
            }

            return copy;
        });
        var cut = Gen.Choose(0, sample.Length).Select(length => sample[..length]);
        var repeated = position.Zip(Gen.Choose(1, 64)).Select(m =>
            sample[..m.Item1].Concat(sample.Skip(m.Item1).Take(m.Item2)).Concat(sample[m.Item1..]).ToArray());
        return Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>(), changed, changed, cut, repeated);
    }

    private static List<(string Name, byte[] Sample, Func<byte[], bool> Property)> Targets()
    {
        var traces = Otlp.Request(
            "svc",
            Otlp.Span(1),
            s => { Otlp.Span(2)(s); s.MessageField(9, Otlp.Attribute("a", v => v.MessageField(5, a => a.MessageField(1, x => x.VarintField(3, 7))))); },
            s => { Otlp.Span(4)(s); s.MessageField(11, e => e.StringField(2, "e")).MessageField(13, l => l.BytesField(1, Otlp.TraceId(5)).BytesField(2, Otlp.SpanId(5))); });
        var logs = ProtoBuilder.Message(r => r.MessageField(1, rl =>
        {
            rl.MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "svc"))));
            rl.MessageField(2, sl => sl.MessageField(2, lr => lr
                .Fixed64Field(1, 1_700_000_000_000_000_000).VarintField(2, 9).StringField(3, "INFO")
                .MessageField(5, b => b.StringField(1, "hello"))
                .MessageField(6, Otlp.Attribute("k", v => v.VarintField(3, 42)))
                .BytesField(9, Otlp.TraceId(3)).BytesField(10, Otlp.SpanId(3))));
        }));
        var metrics = ProtoBuilder.Message(r => r.MessageField(1, rm =>
        {
            rm.MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "svc"))));
            rm.MessageField(2, sm =>
            {
                sm.MessageField(2, m => m.StringField(1, "gauge").MessageField(5, g => g.MessageField(1, p => p.Fixed64Field(3, 1_700_000_000_000_000_000).Fixed64Field(4, 4607182418800017408))));
                sm.MessageField(2, m => m.StringField(1, "hist").MessageField(9, h => h.MessageField(1, p => p
                    .Fixed64Field(3, 1_700_000_000_000_000_000).Fixed64Field(4, 3).BytesField(6, [1, 2]).BytesField(7, new byte[8]))));
            });
        }));
        var jsonTraces = """{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"op","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","attributes":[{"key":"n","value":{"intValue":"3"}}],"status":{"code":2}}]}]}]}"""u8.ToArray();
        var jsonLogs = """{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1544712660000000000","severityNumber":9,"body":{"stringValue":"hi"},"traceId":"5b8efff798038103d269b633813fc60c"}]}]}]}"""u8.ToArray();
        var jsonMetrics = """{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"timeUnixNano":"1544712660000000000","asInt":"5"}]}}]}]}]}"""u8.ToArray();
        var record = new SpoolRecord(OtlpSignal.Traces, "tenant", "svc", false, traces);
        var spoolBody = new byte[record.EncodedLength];
        record.WriteTo(spoolBody);
        var gzip = Compress(traces);
        var frame = new byte[5 + traces.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)traces.Length);
        traces.CopyTo(frame, 5);

        return
        [
            ("OTLP traces, protobuf", traces, input => Accounts(SpanBatchDecoder.Decode(input, new SpanBatch()))),
            ("OTLP traces, protobuf, validate-only", traces, input => OtlpTraceDecoder.Validate(input, out _) == SpanBatchDecoder.Decode(input, new SpanBatch())),
            ("OTLP traces, JSON (transcoded)", jsonTraces, input => Transcoded(OtlpJsonTranscoder.TranscodeTraces(input, out var error), error, bytes => SpanBatchDecoder.Decode(bytes, new SpanBatch()))),
            ("OTLP logs, protobuf", logs, input => Accounts(OtlpLogDecoder.Decode(input, new LogBatch()))),
            ("OTLP metrics, protobuf", metrics, input => Accounts(OtlpMetricDecoder.Decode(input, new MetricBatch()))),
            ("OTLP logs, JSON (transcoded)", jsonLogs, input => Transcoded(OtlpJsonTranscoder.TranscodeLogs(input, out var error), error, bytes => OtlpLogDecoder.Decode(bytes, new LogBatch()))),
            ("OTLP metrics, JSON (transcoded)", jsonMetrics, input => Transcoded(OtlpJsonTranscoder.TranscodeMetrics(input, out var error), error, bytes => OtlpMetricDecoder.Decode(bytes, new MetricBatch()))),
            ("spool record body", spoolBody[SpoolRecord.HeaderBytes..], input => !SpoolRecord.TryParseBody(input, out var read) || read.Payload.Length <= input.Length),
            ("gzip body", gzip, input => Inflated(input)),
            ("gRPC frame", frame, input => Framed(input)),
        ];
    }

    private static bool Accounts(OtlpDecodeResult result) =>
        result.IsMalformed
            ? result.Accepted == 0 && !string.IsNullOrEmpty(result.MalformedReason)
            : result.Accepted >= 0 && result.Rejected >= 0 && (result.Rejected == 0) == (result.ErrorMessage is null);

    private static bool Transcoded(byte[]? protobuf, string? error, Func<byte[], OtlpDecodeResult> decode) =>
        protobuf is null ? !string.IsNullOrEmpty(error) : Accounts(decode(protobuf));

    private static bool Inflated(byte[] input)
    {
        var status = Gzip.TryDecompress(input, 1 << 20, out var output, out var length);
        if (status == GzipStatus.Ok)
        {
            ArrayPool<byte>.Shared.Return(output);
            return length <= 1 << 20;
        }

        return output.Length == 0 && length == 0;
    }

    private static bool Framed(byte[] input)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        var status = GrpcFraming.TryReadMessage(ref buffer, 1 << 20, out var message, out _);
        return status != GrpcFrameStatus.Complete || message.Length + 5 + buffer.Length == input.Length;
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private sealed class Tally
    {
        public long Inputs { get; private set; }

        public long Crashes { get; private set; }

        public long Violations { get; private set; }

        public string? FirstCrash { get; private set; }

        /// <summary>Always true: a crash or a violation is counted, not shrunk, so the run goes on to its count.</summary>
        public bool Try(Func<byte[], bool> property, byte[] input)
        {
            Inputs++;
            try
            {
                if (!property(input))
                {
                    Violations++;
                }
            }
#pragma warning disable CA1031 // Any exception out of a decoder is what this run counts.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Crashes++;
                FirstCrash ??= $"{e.GetType().Name}: {e.Message.Replace('|', '/')} (input {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 32)))}…)";
            }

            return true;
        }
    }
}
