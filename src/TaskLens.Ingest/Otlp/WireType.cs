namespace TaskLens.Ingest.Otlp;

/// <summary>Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}
