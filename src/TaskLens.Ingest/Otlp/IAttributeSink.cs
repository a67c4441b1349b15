namespace TaskLens.Ingest.Otlp;

/// <summary>Where the OTLP readers (<see cref="OtlpCommon.TryReadKeyValue{TSink}"/>) put the attributes they read.</summary>
internal interface IAttributeSink
{
    /// <summary>
    /// Keeps one KeyValue: its key as UTF-8 (unchecked) and its AnyValue bytes; false, with why, when the value cannot
    /// be decoded (<see cref="AnyValueText"/>).
    /// </summary>
    bool TryAdd(AttributeOwner owner, ReadOnlySpan<byte> key, ReadOnlySpan<byte> anyValue, out string? error);
}
