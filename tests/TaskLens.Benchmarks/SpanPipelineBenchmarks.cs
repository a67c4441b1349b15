using BenchmarkDotNet.Attributes;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks;

/// <summary>
/// The per-span hot path of ingest: protobuf decode into a reused batch, and RowBinary encode of that batch.
/// Reported per export of <see cref="Spans"/> spans; divide by it for the cost of one span.
/// </summary>
[MemoryDiagnoser]
public class SpanPipelineBenchmarks
{
    private readonly SpanBatch _batch = new();
    private readonly RowBinaryWriter _rows = new(1 << 20);
    private byte[] _export = [];

    [Params(5000)]
    public int Spans { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _export = AgentExport.Create(Spans);
        SpanBatchDecoder.Decode(_export, _batch);
    }

    [Benchmark(Baseline = true)]
    public int Decode()
    {
        _batch.Clear();
        return SpanBatchDecoder.Decode(_export, _batch).Accepted;
    }

    [Benchmark]
    public int DecodeAndEncodeRowBinary()
    {
        _batch.Clear();
        SpanBatchDecoder.Decode(_export, _batch);
        _rows.Reset();
        SpanBatchRows.Encode(_batch, _rows, 1_795_000_000);
        return _rows.Length;
    }
}
