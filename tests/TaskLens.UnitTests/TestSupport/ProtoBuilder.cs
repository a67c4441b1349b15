using System.Buffers.Binary;
using System.Text;

namespace TaskLens.UnitTests.TestSupport;

/// <summary>
/// Writes protobuf wire format by hand for tests, field by field, so tests can build any valid message and
/// also the malformed ones a generated serializer refuses to produce.
/// </summary>
public sealed class ProtoBuilder
{
    private readonly List<byte> _bytes = [];

    public static byte[] Message(Action<ProtoBuilder> build)
    {
        var builder = new ProtoBuilder();
        build(builder);
        return builder.ToArray();
    }

    public byte[] ToArray() => [.. _bytes];

    public ProtoBuilder Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    public ProtoBuilder Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _bytes.Add((byte)value);
        return this;
    }

    public ProtoBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public ProtoBuilder VarintField(int field, ulong value) => Tag(field, 0).Varint(value);

    public ProtoBuilder Fixed64Field(int field, ulong value)
    {
        Tag(field, 1);
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Raw(b);
    }

    public ProtoBuilder Fixed32Field(int field, uint value)
    {
        Tag(field, 5);
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Raw(b);
    }

    public ProtoBuilder BytesField(int field, byte[] value) => Tag(field, 2).Varint((ulong)value.Length).Raw(value);

    public ProtoBuilder StringField(int field, string value) => BytesField(field, Encoding.UTF8.GetBytes(value));

    public ProtoBuilder MessageField(int field, Action<ProtoBuilder> build) => BytesField(field, Message(build));
}

/// <summary>OTLP trace messages built with <see cref="ProtoBuilder"/>, field numbers from opentelemetry-proto v1.</summary>
public static class Otlp
{
    public static byte[] TraceId(byte seed) => [.. Enumerable.Range(0, 16).Select(i => (byte)(seed + i))];

    public static byte[] SpanId(byte seed) => [.. Enumerable.Range(0, 8).Select(i => (byte)(seed + (i * 3)))];

    /// <summary>ExportTraceServiceRequest with one ResourceSpans holding one ScopeSpans of the given spans.</summary>
    public static byte[] Request(string service, params Action<ProtoBuilder>[] spans) =>
        ProtoBuilder.Message(r => r.MessageField(1, rs =>
        {
            rs.MessageField(1, res => res.MessageField(1, Attribute("service.name", v => v.StringField(1, service))));
            rs.MessageField(2, ss =>
            {
                ss.MessageField(1, scope => scope.StringField(1, "test-scope").StringField(2, "1.0"));
                foreach (var span in spans)
                {
                    ss.MessageField(2, span);
                }
            });
        }));

    /// <summary>A minimal valid span.</summary>
    public static Action<ProtoBuilder> Span(byte seed, string name = "op") => s => s
        .BytesField(1, TraceId(1))
        .BytesField(2, SpanId(seed))
        .StringField(5, name)
        .Fixed64Field(7, 1_000_000_000UL * seed)
        .Fixed64Field(8, (1_000_000_000UL * seed) + 500);

    /// <summary>A KeyValue whose AnyValue is built by <paramref name="value"/>.</summary>
    public static Action<ProtoBuilder> Attribute(string key, Action<ProtoBuilder> value) => kv => kv
        .StringField(1, key)
        .MessageField(2, value);
}
