namespace TaskLens.Core.Telemetry;

/// <summary>
/// The kind of an OTLP <c>AnyValue</c>, stored beside its canonical text so every kind round-trips exactly.
/// The numbers are persisted in ClickHouse; never renumber them.
/// </summary>
#pragma warning disable CA1720 // The member names are the OTLP AnyValue kinds.
public enum AttributeValueType : byte
{
    /// <summary>An AnyValue with no value set. Text is empty.</summary>
    Empty = 0,

    /// <summary>Text is the string itself.</summary>
    String = 1,

    /// <summary>Text is <c>true</c> or <c>false</c>.</summary>
    Bool = 2,

    /// <summary>Text is the invariant decimal form of the 64-bit integer.</summary>
    Int = 3,

    /// <summary>Text is the shortest round-trip form ("R"); <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> for specials.</summary>
    Double = 4,

    /// <summary>Text is standard base64 of the bytes.</summary>
    Bytes = 5,

    /// <summary>Text is the OTLP/JSON encoding of the <c>ArrayValue.values</c> list, e.g. <c>[{"stringValue":"a"}]</c>.</summary>
    Array = 6,

    /// <summary>Text is the OTLP/JSON encoding of the <c>KeyValueList.values</c> list, e.g. <c>[{"key":"k","value":{"intValue":"1"}}]</c>.</summary>
    KeyValueList = 7,
}
#pragma warning restore CA1720
